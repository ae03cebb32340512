#include "converter/convert_options.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/cpu_features.h"

namespace kiln::convert {

namespace {

Status invalid_value(const std::string& option, const std::string& value, const std::string& reason) {
  return invalid_argument("E10001: Value [{}] for parameter [--{}] is invalid. Reason: {}", value, option, reason);
}

bool is_one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

Expected<int> parse_int(const AtcFlags& flags, const std::string& option, int fallback) {
  if (!flags.has(option)) return fallback;
  const std::string v = trim(flags.get(option));
  bool negative = !v.empty() && v[0] == '-';
  std::string digits = negative ? v.substr(1) : v;
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return invalid_value(option, v, "it must be an integer");
  }
  int n = std::stoi(digits);
  return negative ? -n : n;
}

// --soc_version: Ascend* names map to the host CPU; cpu / cpu-avx2 / cpu-avx512 name a level.
Status resolve_target(ConvertOptions& opt) {
  const Isa host = cpu_isa();
  const std::string& soc = opt.soc_version;
  if (soc.rfind("Ascend", 0) == 0 || soc == "cpu") {
    opt.isa = isa_name(host);
    if (soc != "cpu") {
      opt.notes.push_back(fmt::format("note: --soc_version={} is mapped to the host CPU backend (cpu, ISA {})", soc,
                                      opt.isa));
    }
    return Status::ok();
  }
  if (soc == "cpu-avx2" || soc == "cpu-avx512") {
    const Isa want = soc == "cpu-avx2" ? Isa::kAvx2 : Isa::kAvx512;
    // The plan is made and checked on this host, so a level the host cannot run is refused
    // rather than written untested.
    if (static_cast<int>(host) < static_cast<int>(want)) {
      return invalid_value("soc_version", soc,
                           fmt::format("this host's CPU supports only ISA level '{}' (KILN_ISA may cap it); a model "
                                       "for '{}' must be converted on a machine that has it. Use --soc_version=cpu.",
                                       isa_name(host), isa_name(want)));
    }
    opt.isa = isa_name(want);
    return Status::ok();
  }
  return invalid_value("soc_version", soc,
                       "expected an Ascend name (Ascend310, Ascend310P3, Ascend910B...) or cpu, cpu-avx2, cpu-avx512");
}

// §3 options that are accepted and ignored, with the reason printed in the warning.
const std::map<std::string, std::string>& ignored_options() {
  static const std::map<std::string, std::string> kIgnored = {
      {"op_precision_mode", "per-op precision has no effect: the CPU backend computes fp32"},
      {"modify_mixlist", "no mixed-precision lists on the CPU backend"},
      {"customize_dtypes", "per-op compute types are not configurable on the CPU backend"},
      {"keep_dtype", "every op already keeps its original precision on the CPU backend"},
      {"op_select_implmode", "the CPU kernels have one (accurate) implementation"},
      {"optypelist_for_implmode", "the CPU kernels have one (accurate) implementation"},
      {"allow_hf32", "no HF32 on the CPU"},
      {"enable_small_channel", "no small-channel convolution mode"},
      {"enable_single_stream", "a model always runs on one stream"},
      {"enable_scope_fusion_passes", "TensorFlow scope fusion does not apply to ONNX"},
      {"buffer_optimize", "no L1/L2 buffer modes on the CPU"},
      {"external_weight", "weights are always stored in the .om (mapped on load)"},
      {"save_original_model", "the original model is not saved"},
      {"op_name_map", "Caffe only"},
      {"dump_mode", "mode 1 always dumps the stored shapes"},
      {"op_debug_level", "no kernel compiler"},
      {"debug_dir", "no kernel compiler"},
      {"op_compiler_cache_mode", "no kernel compiler"},
      {"op_compiler_cache_dir", "no kernel compiler"},
      {"status_check", "no kernel compiler"},
      {"op_debug_config", "no kernel compiler"},
      {"virtual_type", "no vNPU"},
      {"core_type", "no AI Core / Vector Core on the CPU"},
      {"aicore_num", "no AI Cores on the CPU"},
      {"jit_compile", "no kernel compiler"},
      {"deterministic", "the CPU kernels are deterministic for a fixed thread count"},
      {"deterministic_level", "the CPU kernels are deterministic for a fixed thread count"},
      {"sparsity", "no structured sparsity"},
      {"compression_optimize_conf", "not supported"},
      {"cluster_config", "not supported"},
      {"hccl_sub_comm_config", "not supported"},
      {"mdl_bank_path", "not supported"},
      {"op_bank_path", "not supported"},
      {"oo_level", "not supported"},
      {"optimization_switch", "not supported"},
      {"raw_ge_options", "not supported"},
      {"tiling_schedule_optimize", "not supported"},
      {"ac_parallel_enable", "not supported"},
      {"atomic_clean_policy", "not supported"},
      {"is_weight_clip", "not supported"},
      {"static_model_ops_lower_limit", "not supported"},
      {"topo_sorting_mode", "not supported"},
      {"quant_dumpable", "not supported"},
      {"h2d_overlapped_with_compute", "not supported"},
      {"shape_generalized_build_mode", "not supported"},
      {"input_hint_shape", "not supported"},
  };
  return kIgnored;
}

Status check_adjust_layout(const AtcFlags& flags, const std::string& option) {
  if (!flags.has(option)) return Status::ok();
  for (const std::string& b : split_list(flags.get(option), ',')) {
    if (b == "true") {
      return invalid_value(option, flags.get(option),
                           "the fp16 NC1HWC0 layout is not supported by the CPU backend; use false");
    }
    if (b != "false") return invalid_value(option, flags.get(option), "each value must be true or false");
  }
  return Status::ok();
}

Status parse_output_type(const std::string& text, ConvertOptions& opt) {
  if (trim(text).find(':') == std::string::npos) {
    KILN_ASSIGN_OR_RETURN(opt.output_type, parse_atc_dtype(trim(text), "output_type"));
    return Status::ok();
  }
  for (const std::string& entry : split_list(text, ';')) {
    size_t colon = entry.rfind(':');
    std::string output = trim(entry.substr(0, colon));
    if (colon == std::string::npos || output.find(':') == std::string::npos) {
      return invalid_value("output_type", text,
                           fmt::format("entry '{}' must be node:index:type (e.g. \"prob:0:FP16\")", entry));
    }
    KILN_ASSIGN_OR_RETURN(DType dt, parse_atc_dtype(trim(entry.substr(colon + 1)), "output_type"));
    opt.output_type_rules.push_back({output, dt});
  }
  return Status::ok();
}

Status parse_gear_options(const AtcFlags& flags, ConvertOptions& opt) {
  const char* kGearOptions[] = {"dynamic_batch_size", "dynamic_image_size", "dynamic_dims"};
  std::vector<std::string> given;
  for (const char* o : kGearOptions) {
    if (flags.has(o)) given.push_back(std::string("--") + o);
  }
  if (given.size() > 1) {
    return invalid_argument("E10001: {} and {} are mutually exclusive; give at most one gear option", given[0],
                            given[1]);
  }
  if (given.empty()) return Status::ok();
  if (opt.input_shape.empty()) {
    return invalid_argument(
        "E10001: {} needs --input_shape with -1 at the dims the gears fill (e.g. --input_shape=\"data:-1,3,224,224\")",
        given[0]);
  }
  for (const InputShapeEntry& e : opt.input_shape) {
    if (e.has_range()) {
      return invalid_argument("E10001: {} cannot be combined with a shape range (input '{}' in --input_shape)",
                              given[0], e.name);
    }
  }
  if (flags.has("dynamic_batch_size")) {
    opt.gear_kind = offline::GearKind::kBatch;
    opt.gear_text = flags.get("dynamic_batch_size");
    KILN_ASSIGN_OR_RETURN(opt.gears, parse_dynamic_batch_size(opt.gear_text));
  } else if (flags.has("dynamic_image_size")) {
    opt.gear_kind = offline::GearKind::kImageSize;
    opt.gear_text = flags.get("dynamic_image_size");
    if (opt.input_format != "NCHW" && opt.input_format != "NHWC") {
      return invalid_argument(
          "E10001: --dynamic_image_size needs --input_format NCHW or NHWC (to know which dims are H and W), got {}",
          opt.input_format);
    }
    KILN_ASSIGN_OR_RETURN(opt.gears, parse_dynamic_image_size(opt.gear_text));
  } else {
    opt.gear_kind = offline::GearKind::kDims;
    opt.gear_text = flags.get("dynamic_dims");
    size_t minus_ones = 0;
    for (const InputShapeEntry& e : opt.input_shape) {
      for (const DimSpec& d : e.dims) minus_ones += d.is_dynamic();
    }
    if (minus_ones == 0) {
      return invalid_argument("E10001: --dynamic_dims needs -1 dims in --input_shape; '{}' has none",
                              flags.get("input_shape"));
    }
    KILN_ASSIGN_OR_RETURN(opt.gears, parse_dynamic_dims(opt.gear_text, minus_ones));
    if (!opt.insert_op_conf.empty()) {
      return invalid_argument("E10001: --dynamic_dims cannot be combined with --insert_op_conf (AIPP)");
    }
  }
  return Status::ok();
}

Status parse_precision(const AtcFlags& flags, ConvertOptions& opt) {
  if (flags.has("precision_mode") && flags.has("precision_mode_v2")) {
    return invalid_argument("E10001: --precision_mode and --precision_mode_v2 are mutually exclusive");
  }
  if (flags.has("precision_mode")) {
    opt.precision_mode = flags.get("precision_mode");
    if (!is_one_of(opt.precision_mode, {"force_fp16", "force_fp32", "cube_fp16in_fp32out", "allow_fp32_to_fp16",
                                        "must_keep_origin_dtype", "allow_mix_precision", "allow_mix_precision_fp16",
                                        "allow_mix_precision_bf16", "allow_fp32_to_bf16"})) {
      return invalid_value("precision_mode", opt.precision_mode,
                           "expected force_fp16, force_fp32, cube_fp16in_fp32out, allow_fp32_to_fp16, "
                           "must_keep_origin_dtype, allow_mix_precision, allow_mix_precision_fp16, "
                           "allow_mix_precision_bf16 or allow_fp32_to_bf16");
    }
  } else if (flags.has("precision_mode_v2")) {
    opt.precision_mode = flags.get("precision_mode_v2");
    if (!is_one_of(opt.precision_mode, {"fp16", "origin", "cube_fp16in_fp32out", "mixed_float16", "mixed_bfloat16",
                                        "cube_hif8", "mixed_hif8"})) {
      return invalid_value("precision_mode_v2", opt.precision_mode,
                           "expected fp16, origin, cube_fp16in_fp32out, mixed_float16, mixed_bfloat16, cube_hif8 or "
                           "mixed_hif8");
    }
  }
  if (!opt.precision_mode.empty() &&
      !is_one_of(opt.precision_mode, {"force_fp32", "cube_fp16in_fp32out", "must_keep_origin_dtype", "origin"})) {
    opt.notes.push_back(fmt::format(
        "note: precision mode {} computes in the model's own types (fp32) on the CPU backend", opt.precision_mode));
  }
  return Status::ok();
}

}  // namespace

Expected<DType> parse_atc_dtype(const std::string& name, const std::string& option) {
  static const std::map<std::string, DType> kTypes = {
      {"FP32", DType::kFloat32}, {"FP16", DType::kFloat16},   {"UINT8", DType::kUInt8},  {"INT8", DType::kInt8},
      {"UINT16", DType::kUInt16}, {"INT16", DType::kInt16},   {"UINT32", DType::kUInt32}, {"INT32", DType::kInt32},
      {"UINT64", DType::kUInt64}, {"INT64", DType::kInt64},   {"DOUBLE", DType::kFloat64},
  };
  auto it = kTypes.find(name);
  if (it != kTypes.end()) return it->second;
  if (is_one_of(name, {"HIF8", "FP8E5M2", "FP8E4M3FN"})) {
    return invalid_value(option, name, "8-bit float outputs exist only on Ascend 950 and are not supported");
  }
  return invalid_value(option, name,
                       "expected FP32, FP16, UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 or DOUBLE");
}

Expected<ConvertOptions> options_from_flags(const AtcFlags& flags, const std::string& command_line) {
  ConvertOptions opt;
  opt.command_line = command_line;
  KILN_ASSIGN_OR_RETURN(int mode, parse_int(flags, "mode", 0));
  if (mode == 5) {
    return invalid_value("mode", "5", "mode 5 (GE dump graph text to JSON) is not supported by this converter");
  }
  if (mode == 30) {
    return invalid_value("mode", "30", "mode 30 (execute-om for the IPV350 nano target) is out of scope");
  }
  if (mode != 0 && mode != 1 && mode != 3 && mode != 6) {
    return invalid_value("mode", flags.get("mode"), "expected 0 (convert), 1 (JSON dump), 3 (pre-check) or 6 (model info)");
  }
  opt.mode = static_cast<Mode>(mode);

  if (flags.has("auto_tune_mode")) {
    return invalid_argument(
        "E10001: --auto_tune_mode has been removed; tune with AOE (Ascend Optimization Engine) instead");
  }
  if (flags.has("singleop")) {
    return invalid_value("singleop", flags.get("singleop"), "single-operator compilation is not supported by this converter yet");
  }
  if (flags.has("log")) {
    opt.log_level = flags.get("log");
    if (!is_one_of(opt.log_level, {"debug", "info", "warning", "error", "null"})) {
      return invalid_value("log", opt.log_level, "expected debug, info, warning, error or null");
    }
  }
  KILN_ASSIGN_OR_RETURN(opt.framework, parse_int(flags, "framework", -1));
  opt.om = flags.get("om");
  opt.json = flags.get("json");

  auto require = [&](const std::string& option) -> Status {
    if (trim(flags.get(option)).empty()) return invalid_argument("E10004: Value for --{} is empty.", option);
    return Status::ok();
  };
  auto check_framework = [&](bool required) -> Status {
    if (opt.framework == -1) {
      if (!required) return Status::ok();
      return invalid_argument(
          "E10007: --framework is required. The value must be 0(Caffe) or 1(MindSpore) or 3(TensorFlow) or 5(Onnx).");
    }
    static const char* kNames[] = {"Caffe", "MindSpore", "", "TensorFlow", "", "ONNX"};
    if (opt.framework < 0 || opt.framework > 5 || opt.framework == 2 || opt.framework == 4) {
      return invalid_value("framework", flags.get("framework"),
                           "The value must be 0(Caffe) or 1(MindSpore) or 3(TensorFlow) or 5(Onnx).");
    }
    if (opt.framework != 5) {
      return invalid_value("framework", flags.get("framework"),
                           fmt::format("framework {} ({}) is not supported by this converter yet; export the model to "
                                       "ONNX and use --framework=5",
                                       opt.framework, kNames[opt.framework]));
    }
    return Status::ok();
  };

  if (opt.mode == Mode::kDisplayInfo) {
    KILN_TRY(require("om"));
    return opt;
  }
  if (opt.mode == Mode::kJsonDump) {
    KILN_TRY(require("om"));
    KILN_TRY(require("json"));
    if (opt.framework == 1) {
      return invalid_value("framework", "1", "mode 1 dumps Caffe (0), TensorFlow (3) or ONNX (5) models, not MindSpore");
    }
    KILN_TRY(check_framework(false));
    return opt;
  }

  // Modes 0 and 3.
  KILN_TRY(check_framework(true));
  KILN_TRY(require("model"));
  opt.model = flags.get("model");
  opt.weight = flags.get("weight");
  if (opt.mode == Mode::kConvert) {
    KILN_TRY(require("output"));
    opt.output = flags.get("output");
    opt.om_path = opt.output.size() > 3 && opt.output.compare(opt.output.size() - 3, 3, ".om") == 0
                      ? opt.output
                      : opt.output + ".om";
  }
  KILN_TRY(require("soc_version"));
  opt.soc_version = flags.get("soc_version");
  KILN_TRY(resolve_target(opt));
  if (flags.has("check_report")) opt.check_report = flags.get("check_report");

  if (flags.has("input_format")) {
    opt.input_format = flags.get("input_format");
    opt.input_format_given = true;
    if (!is_one_of(opt.input_format, {"NCHW", "NHWC", "ND", "NCDHW"})) {
      return invalid_value("input_format", opt.input_format, "for ONNX models expected NCHW (default), NHWC, ND or NCDHW");
    }
  }
  if (flags.has("input_shape") && flags.has("input_shape_range")) {
    return invalid_argument("E10001: --input_shape and --input_shape_range are mutually exclusive (write ranges as a~b in --input_shape)");
  }
  if (flags.has("input_shape")) {
    KILN_ASSIGN_OR_RETURN(opt.input_shape, parse_input_shape(flags.get("input_shape")));
  } else if (flags.has("input_shape_range")) {
    KILN_ASSIGN_OR_RETURN(opt.input_shape, parse_input_shape_range(flags.get("input_shape_range")));
    opt.warnings.push_back("warning: --input_shape_range is deprecated; translated to --input_shape ranges (a~b)");
  }
  opt.input_fp16_nodes = split_list(flags.get("input_fp16_nodes"), ';');
  if (flags.has("input_fp16_nodes") && opt.input_fp16_nodes.empty()) {
    return invalid_argument("E10004: Value for --input_fp16_nodes is empty.");
  }
  KILN_TRY(check_adjust_layout(flags, "is_input_adjust_hw_layout"));
  KILN_TRY(check_adjust_layout(flags, "is_output_adjust_hw_layout"));
  opt.out_nodes = split_list(flags.get("out_nodes"), ';');
  if (flags.has("out_nodes") && opt.out_nodes.empty()) return invalid_argument("E10004: Value for --out_nodes is empty.");
  if (flags.has("output_type")) {
    if (trim(flags.get("output_type")).empty()) return invalid_argument("E10004: Value for --output_type is empty.");
    KILN_TRY(parse_output_type(flags.get("output_type"), opt));
    for (const OutputTypeRule& r : opt.output_type_rules) {
      if (std::find(opt.out_nodes.begin(), opt.out_nodes.end(), r.output) == opt.out_nodes.end()) {
        return invalid_value("output_type", flags.get("output_type"),
                             fmt::format("the per-output form needs the same outputs in --out_nodes; '{}' is not in "
                                         "--out_nodes",
                                         r.output));
      }
    }
  }
  opt.insert_op_conf = flags.get("insert_op_conf");
  if (flags.has("insert_op_conf")) {
    if (trim(opt.insert_op_conf).empty()) return invalid_argument("E10004: Value for --insert_op_conf is empty.");
    if (opt.input_format != "NCHW" && opt.input_format != "NHWC") {
      return invalid_value("input_format", opt.input_format, "with --insert_op_conf (AIPP) only NCHW or NHWC is allowed");
    }
  }
  KILN_TRY(parse_gear_options(flags, opt));
  KILN_TRY(parse_precision(flags, opt));
  opt.fusion_switch_file = flags.get("fusion_switch_file");
  if (flags.has("disable_reuse_memory")) {
    const std::string v = flags.get("disable_reuse_memory");
    if (v != "0" && v != "1") return invalid_value("disable_reuse_memory", v, "expected 0 or 1");
    opt.disable_reuse_memory = v == "1";
  }
  if (flags.has("display_model_info")) {
    const std::string v = flags.get("display_model_info");
    if (v != "0" && v != "1") return invalid_value("display_model_info", v, "expected 0 or 1");
    opt.display_model_info = v == "1";
  }
  if (flags.has("weight")) {
    opt.warnings.push_back("warning: --weight is used only with --framework=0 (Caffe); ignored");
  }
  for (const std::string& name : flags.order) {
    auto it = ignored_options().find(name);
    if (it != ignored_options().end()) {
      opt.warnings.push_back(fmt::format("warning: --{} is accepted and ignored ({})", name, it->second));
    }
  }
  return opt;
}

}  // namespace kiln::convert
