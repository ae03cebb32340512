// The model converter behind `kiln convert` / `atc` (../shared/spec/atc-cli.md): ONNX model ->
// interface rewrites (--input_shape, --out_nodes, --input_fp16_nodes, --output_type,
// --insert_op_conf, dynamic gears) -> type inference -> the CPU backend's graph passes -> memory
// plan -> `.om` (offline/offline_model.h), written atomically.
//
//   KILN_ASSIGN_OR_RETURN(ConvertOptions opt, options_from_flags(flags, cmdline));
//   KILN_ASSIGN_OR_RETURN(ConvertResult r, convert(opt, [](const ProgressEvent& e) {
//     fmt::print("[{:6.2f} s] {}\n", e.elapsed_s, e.message);
//   }));
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "converter/convert_options.h"
#include "ir/graph.h"
#include "offline/offline_model.h"

namespace kiln::convert {

struct ProgressEvent {
  std::string message;  // "loaded model.onnx (122 nodes)", "optimized: 57 nodes", ...
  double elapsed_s = 0;  // since convert() started
};
using ProgressFn = std::function<void(const ProgressEvent&)>;

struct ConvertResult {
  offline::Metadata meta;
  std::string om_path;
  std::vector<std::string> warnings;  // conversion warnings (fusion switch names, ...)
  double seconds = 0;
};

// Mode 0: writes opt.om_path. On any error nothing is written.
Expected<ConvertResult> convert(const ConvertOptions& opt, const ProgressFn& progress = {});

// The model with every interface rewrite applied and types inferred, before the graph passes,
// plus the metadata that does not depend on the passes (inputs/outputs, gears, AIPP). Used by
// convert() and by mode 3 (pre-check).
struct PreparedModel {
  std::shared_ptr<ir::Model> model;
  offline::Metadata meta;
  std::vector<std::string> warnings;
};
Expected<PreparedModel> prepare_model(const ConvertOptions& opt, const ProgressFn& progress = {});

// XXH3-64 of `bytes` as 16 hex digits (the source hash stored in the model).
std::string source_hash_hex(const void* bytes, size_t size);

}  // namespace kiln::convert
