// Every `atc` option in parsed form (../shared/spec/atc-cli.md §2-§4), and the checks that need
// no model: values, required options per mode, mutually exclusive options. The checks against the
// model (input names, -1 positions, AIPP inputs) run in convert().
//
//   KILN_ASSIGN_OR_RETURN(AtcFlags flags, parse_atc_flags(args));
//   KILN_ASSIGN_OR_RETURN(ConvertOptions opt, options_from_flags(flags, "atc " + ...));
//   for (auto& w : opt.warnings) fmt::print("{}\n", w);
//
// --precision_mode on the CPU backend (the interface never changes; see --input_fp16_nodes and
// --output_type for that): every value computes in the model's own types, i.e. fp32 for fp32
// models. force_fp32 / cube_fp16in_fp32out / must_keep_origin_dtype / origin are exactly that;
// force_fp16 / fp16 (the NPU default) and allow_fp32_to_fp16 / allow_fp32_to_bf16 /
// allow_mix_precision* / mixed_* keep fp32 (more accurate than the NPU, never less) and say so in
// a note. The mode is stored in the model.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "converter/atc_flags.h"
#include "converter/input_shape.h"
#include "core/dtype.h"
#include "core/status.h"
#include "offline/offline_model.h"

namespace kiln::convert {

enum class Mode : int { kConvert = 0, kJsonDump = 1, kPreCheck = 3, kDisplayInfo = 6 };

struct OutputTypeRule {
  std::string output;  // "node:idx" as written (must also be in --out_nodes)
  DType dtype = DType::kUndefined;
};

struct ConvertOptions {
  Mode mode = Mode::kConvert;
  std::string model;        // --model
  std::string weight;       // --weight (Caffe only; ignored for ONNX)
  int framework = -1;       // --framework (5 = ONNX is the one implemented)
  std::string output;       // --output prefix
  std::string om_path;      // output + ".om" (not doubled when the prefix already ends in .om)
  std::string soc_version;  // as given
  std::string isa;          // target ISA level stored in the model: "avx2", "avx512", "scalar"

  std::string input_format = "NCHW";  // NCHW, NHWC, ND, NCDHW
  bool input_format_given = false;
  std::vector<InputShapeEntry> input_shape;  // --input_shape (or translated --input_shape_range)
  std::vector<std::string> input_fp16_nodes;
  std::vector<std::string> out_nodes;             // as written, in order
  DType output_type = DType::kUndefined;          // global form
  std::vector<OutputTypeRule> output_type_rules;  // per-output form
  std::string insert_op_conf;

  offline::GearKind gear_kind = offline::GearKind::kNone;
  std::string gear_text;  // the option value, for messages
  GearList gears;         // parsed when the kind needs no model (batch, image size); dims: see below
  // --dynamic_dims is parsed in convert() once the number of -1 dims is known.

  std::string precision_mode;      // --precision_mode or --precision_mode_v2 value; "" when neither
  std::string fusion_switch_file;  // parsed in convert() (needs the file)
  std::vector<std::string> disabled_passes;
  bool disable_reuse_memory = false;
  bool display_model_info = false;
  std::string log_level = "null";  // debug, info, warning, error, null

  std::string om;            // --om (modes 1, 6)
  std::string json;          // --json (mode 1)
  std::string check_report = "check_result.json";  // mode 3
  std::string command_line;  // stored in the model

  std::vector<std::string> notes;     // informational lines (soc mapping, precision mapping)
  std::vector<std::string> warnings;  // accepted-and-ignored options etc.
};

// ATC data type names of --output_type (FP32, FP16, UINT8, INT8, UINT16, INT16, UINT32, INT32,
// UINT64, INT64, DOUBLE).
Expected<DType> parse_atc_dtype(const std::string& name, const std::string& option);

// Builds and checks the options of `mode` (--mode, default 0). Errors carry ATC codes: E10004
// (required value empty), E10007 (--framework missing), E10001 (invalid value / combination).
Expected<ConvertOptions> options_from_flags(const AtcFlags& flags, const std::string& command_line);

}  // namespace kiln::convert
