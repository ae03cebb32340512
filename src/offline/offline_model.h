// The offline model (`.om`, Kiln's own format, docs/FORMAT.md): an optimized graph with its
// execution plan, weights 64-byte aligned and memory-mapped on load, and the interface
// AscendCL applications see (../shared/spec/atc-cli.md §4-§5). Written by `kiln convert`/`atc`,
// read by every tool and the runtime.
//
//   KILN_TRY(offline::write_om("resnet50.om", meta, *optimized_model, &session->memory_plan()));
//   KILN_ASSIGN_OR_RETURN(offline::OfflineModel om, offline::read_om("resnet50.om"));
//   KILN_ASSIGN_OR_RETURN(auto session, offline::create_session(om, {}));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "converter/aipp_config.h"
#include "core/dtype.h"
#include "core/status.h"
#include "ir/graph.h"
#include "runtime/memory_plan.h"
#include "runtime/session.h"

namespace kiln::offline {

constexpr uint32_t kFormatVersion = 1;

// AscendCL aclFormat numbers.
enum class Format : int { kNCHW = 0, kNHWC = 1, kND = 2, kNCDHW = 30 };
const char* format_name(Format f);

// One input or output as AscendCL sees it (aclmdlGetInputDims/DataType/Format/SizeByIndex).
struct TensorDesc {
  enum class Role { kData, kDynamicGear, kDynamicAipp };
  std::string name;
  DType dtype = DType::kFloat32;
  Format format = Format::kND;
  std::vector<int64_t> dims;     // -1 where a gear or dynamic shape decides
  std::vector<int64_t> dims_v2;  // aclmdlGetInputDimsV2 (AIPP inputs: raw-byte dims); empty = dims
  int64_t bytes = 0;             // byte size at the largest gear; 0 for dynamic shapes without gears
  Role role = Role::kData;
  int aipp_index = -1;           // into Metadata::aipp when AIPP is inserted on this input
  std::string graph_name;        // the graph input/output it binds to ("" for gear/AIPP inputs)
};

enum class GearKind { kNone, kBatch, kImageSize, kDims };
const char* gear_kind_name(GearKind k);

struct Gears {
  GearKind kind = GearKind::kNone;
  std::vector<std::vector<int64_t>> values;        // one entry per gear
  // The (input index in Metadata::inputs, dim index) each value of a gear fills, in order.
  std::vector<std::pair<int, int>> positions;
  // output_dims[g][o]: dims of output o when gear g runs.
  std::vector<std::vector<std::vector<int64_t>>> output_dims;
};

struct Metadata {
  uint32_t format_version = kFormatVersion;
  std::string producer;        // "kiln <version>"
  std::string backend = "cpu";
  std::string isa;             // "avx2", "avx512", "scalar": the level the plan was made for
  std::string soc_version;     // as given to --soc_version
  int framework = 5;
  std::string command_line;    // the original atc/kiln convert command line
  std::string source_path;
  std::string source_hash;     // XXH3-64 of the source model file, hex
  std::string precision_mode;
  std::vector<TensorDesc> inputs;   // AscendCL order: data inputs, then gear / dynamic AIPP inputs
  std::vector<TensorDesc> outputs;
  Gears gears;
  std::vector<aipp::Params> aipp;
  size_t work_bytes = 0;       // activation arena (aclmdlQuerySize workSize)
  size_t weight_bytes = 0;     // weight memory (aclmdlQuerySize weightSize)
};

std::string metadata_to_json(const Metadata& meta, int indent = 2);
Expected<Metadata> metadata_from_json(const std::string& json, const std::string& file);

// A loaded `.om`: the metadata and the graph (already optimized; constants view the mapped file).
struct OfflineModel {
  Metadata meta;
  std::shared_ptr<ir::Model> model;
  std::shared_ptr<MemoryPlan> memory_plan;  // resolved against `model`; null when none was stored
  // Kernels' prepacked weights (PACKED section), viewing the mapping; null when none was stored.
  std::shared_ptr<const PackedStore> packed;
  // Section sizes, for `atc --mode=6` / `kiln info`.
  size_t file_bytes = 0, graph_bytes = 0, weight_section_bytes = 0, metadata_bytes = 0;
  size_t packed_bytes = 0;
};

// Writes atomically (temporary file + rename): on error no file is left at `path`.
Status write_om(const std::string& path, const Metadata& meta, const ir::Model& optimized, const MemoryPlan* plan);
// The session's optimized model and memory plan, and (with `packed`) its kernels' prepacked
// weights (Session::export_packed) so a session over the .om skips packing them.
Status write_om(const std::string& path, const Metadata& meta, const Session& session, bool packed = true);
// As above with explicit prepacked blobs (key = packed_key(node), bytes).
Status write_om(const std::string& path, const Metadata& meta, const ir::Model& optimized, const MemoryPlan* plan,
                const std::vector<std::pair<std::string, std::string>>& packed);

struct ReadOptions {
  bool verify_checksum = true;  // the fuzz target turns it off to reach the parsers
  // Validate the header and section table and parse META only (OfflineModel::model stays null):
  // enough for size queries (aclmdlQuerySize) without building the graph.
  bool metadata_only = false;
};
Expected<OfflineModel> read_om(const std::string& path, const ReadOptions& options = {});
// `owner` keeps `data` alive for as long as tensors of the model view it.
Expected<OfflineModel> read_om_from_bytes(std::shared_ptr<const void> owner, const uint8_t* data, size_t size,
                                          const std::string& display_name, const ReadOptions& options = {});
// True when the file starts with the `.om` magic.
bool is_om_file(const std::string& path);

// A session over the stored graph and plan (no passes run again).
Expected<std::unique_ptr<Session>> create_session(const OfflineModel& om, SessionOptions options);

}  // namespace kiln::offline
