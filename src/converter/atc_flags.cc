#include "converter/atc_flags.h"

#include <algorithm>

namespace kiln::convert {

const std::vector<std::string>& atc_option_names() {
  static const std::vector<std::string> kNames = {
      // §1-§2: core options
      "mode", "model", "weight", "framework", "output", "soc_version", "input_shape", "input_format",
      "output_type", "out_nodes", "input_fp16_nodes", "insert_op_conf", "precision_mode", "precision_mode_v2",
      "keep_dtype", "op_select_implmode", "optypelist_for_implmode", "op_precision_mode", "fusion_switch_file",
      "dynamic_batch_size", "dynamic_image_size", "dynamic_dims", "log", "om", "json", "singleop",
      // §3: other documented options
      "input_shape_range", "is_input_adjust_hw_layout", "is_output_adjust_hw_layout", "modify_mixlist",
      "customize_dtypes", "allow_hf32", "enable_small_channel", "enable_single_stream",
      "enable_scope_fusion_passes", "disable_reuse_memory", "buffer_optimize", "external_weight",
      "save_original_model", "check_report", "display_model_info", "op_name_map", "dump_mode", "op_debug_level",
      "debug_dir", "op_compiler_cache_mode", "op_compiler_cache_dir", "status_check", "op_debug_config",
      "host_env_os", "host_env_cpu", "virtual_type", "core_type", "aicore_num", "jit_compile", "deterministic",
      "deterministic_level", "sparsity", "compression_optimize_conf", "cluster_config", "hccl_sub_comm_config",
      "mdl_bank_path", "op_bank_path", "oo_level", "optimization_switch", "raw_ge_options",
      "tiling_schedule_optimize", "ac_parallel_enable", "atomic_clean_policy", "is_weight_clip",
      "static_model_ops_lower_limit", "topo_sorting_mode", "quant_dumpable", "h2d_overlapped_with_compute",
      "shape_generalized_build_mode", "input_hint_shape", "auto_tune_mode",
  };
  return kNames;
}

Expected<AtcFlags> parse_atc_flags(const std::vector<std::string>& args) {
  const auto& known = atc_option_names();
  AtcFlags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    size_t dashes = arg.rfind("--", 0) == 0 ? 2 : arg.rfind('-', 0) == 0 ? 1 : 0;
    std::string body = arg.substr(dashes);
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    // A single dash is a long option only for names of two letters or more (`-output_type=FP32`).
    if (dashes == 0 || name.empty() || (dashes == 1 && name.size() < 2)) {
      return invalid_argument(
          "E10001: unexpected argument '{}' (argument {}): atc takes only options, written --option=value or "
          "--option value",
          arg, i + 1);
    }
    std::replace(name.begin(), name.end(), '-', '_');
    if (name == "help" || name == "h") {
      flags.help = true;
      continue;
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return invalid_argument("E10001: unknown command line flag '{}' (in argument '{}')", name, arg);
    }
    std::string value;
    if (eq != std::string::npos) {
      value = body.substr(eq + 1);
    } else if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
      value = args[++i];
    } else {
      return invalid_argument("E10001: flag '--{}' is missing its argument", name);
    }
    if (!flags.has(name)) flags.order.push_back(name);
    flags.values[name] = std::move(value);  // the last value wins
  }
  return flags;
}

std::string join_command_line(const std::string& program, const std::vector<std::string>& args) {
  std::string line = program;
  for (const std::string& a : args) {
    line += ' ';
    if (a.find_first_of(" \t;\"'$&|<>()*?") == std::string::npos && !a.empty()) {
      line += a;
      continue;
    }
    // --opt="v a l" reads best; fall back to quoting the whole word when there is no '='.
    size_t eq = a.find('=');
    std::string head = eq == std::string::npos ? "" : a.substr(0, eq + 1);
    std::string tail = eq == std::string::npos ? a : a.substr(eq + 1);
    std::string quoted = "\"";
    for (char c : tail) {
      if (c == '"' || c == '\\' || c == '$' || c == '`') quoted += '\\';
      quoted += c;
    }
    line += head + quoted + "\"";
  }
  return line;
}

}  // namespace kiln::convert
