// `kiln convert ...` and the same binary invoked as `atc`: the ATC command line
// (../shared/spec/atc-cli.md). ATC's syntax is not CLI11's (single-dash long options, `--a-b` ==
// `--a_b`, last value wins), so main() hands these arguments here before CLI11 sees them.
//
//   atc --model=resnet50.onnx --framework=5 --output=resnet50 --soc_version=Ascend310
//   atc --mode=6 --om=resnet50.om
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "converter/atc_flags.h"
#include "converter/convert.h"
#include "converter/convert_options.h"
#include "core/file_util.h"
#include "om_report.h"

namespace kiln::tools {

namespace {

constexpr const char* kStartLine = "ATC start working now, please wait for a moment.";
constexpr const char* kSuccessLine = "ATC run success, welcome to the next use.";
constexpr const char* kFailLine =
    "ATC run failed, Please check the detail log, Try 'atc --help' for more information";

void print_usage(const std::string& program) {
  fmt::print(
      "usage: {} --option=value ...   (ATC syntax: --opt=v or --opt v; -opt for names of 2+ letters)\n"
      "\n"
      "Converts an ONNX model into a Kiln offline model (.om) for the CPU backend, with the interface\n"
      "AscendCL applications expect. Options (see docs and ../shared/spec/atc-cli.md):\n"
      "  --mode=0|1|3|6            0 convert (default), 1 JSON dump (--om, --json), 3 pre-check, 6 model info (--om)\n"
      "  --model=FILE              ONNX model (.onnx)\n"
      "  --framework=5             5 = ONNX (0 Caffe, 1 MindSpore, 3 TensorFlow: not supported yet)\n"
      "  --output=PREFIX           writes PREFIX.om\n"
      "  --soc_version=NAME        Ascend310, Ascend310P3, Ascend910B... (mapped to the host CPU), cpu,\n"
      "                            cpu-avx2, cpu-avx512 (refused when the host lacks AVX-512)\n"
      "  --input_shape=\"n:d,d;...\" fix input shapes; -1 dynamic (with gears), a~b ranges, `n:` scalars\n"
      "  --input_format=NCHW|NHWC|ND|NCDHW\n"
      "  --input_fp16_nodes=\"a;b\"  these inputs take float16\n"
      "  --output_type=FP32|FP16|... or \"node:idx:TYPE;...\" (with --out_nodes)\n"
      "  --out_nodes=\"node:idx;...\" or output names: cut the graph there, outputs in this order\n"
      "  --insert_op_conf=FILE     AIPP configuration (inputs become raw uint8 NHWC images)\n"
      "  --dynamic_batch_size=\"1,2,4,8\" | --dynamic_image_size=\"h,w;h,w\" | --dynamic_dims=\"d,d;d,d\"\n"
      "  --precision_mode=MODE     stored; the CPU computes in the model's types (fp32)\n"
      "  --fusion_switch_file=FILE turn graph passes off (PassName:off or the JSON form)\n"
      "  --disable_reuse_memory=1  no activation memory reuse\n"
      "  --display_model_info=1    print the model info block after conversion\n"
      "  --check_report=FILE       mode 3 report (default check_result.json)\n"
      "  --log=debug|info|warning|error|null\n"
      "  --om=FILE --json=FILE     modes 1 and 6\n"
      "  --help                    this text\n"
      "Other documented ATC options are accepted; those without a CPU meaning are ignored with a warning.\n",
      program);
}

// Errors that do not carry an ATC code yet get one from their kind.
std::string with_code(const Status& st) {
  const std::string& m = st.message();
  if (m.size() > 7 && m[0] == 'E' && m[6] == ':' && std::isdigit(static_cast<unsigned char>(m[1]))) return m;
  const char* code = st.code() == StatusCode::kInternal ? "E19999" : st.code() == StatusCode::kUnsupported ? "E19010" : "E10001";
  return fmt::format("{}: {}", code, m);
}

int fail(const Status& st, const std::vector<std::string>& notes = {}) {
  fmt::print("{}\n{}\n", kFailLine, with_code(st));
  for (const std::string& n : notes) fmt::print("{}\n", n);
  std::fflush(stdout);
  return 255;
}

int succeed(const std::vector<std::string>& warnings) {
  fmt::print("{}\n", kSuccessLine);
  for (const std::string& w : warnings) fmt::print("{}\n", w);
  return 0;
}

Expected<offline::OfflineModel> read_om_arg(const std::string& path) {
  if (!offline::is_om_file(path)) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return invalid_argument("E10001: Value [{}] for parameter [--om] is invalid. Reason: the file does not exist", path);
    }
    return invalid_argument("E10001: Value [{}] for parameter [--om] is invalid. Reason: not an offline model (.om) file",
                            path);
  }
  return offline::read_om(path);
}

int run_mode_json(const convert::ConvertOptions& opt) {
  std::string text;
  if (opt.framework == 5) {
    auto json = onnx_to_json(opt.om);
    if (!json) return fail(json.status());
    text = std::move(*json);
  } else {
    auto om = read_om_arg(opt.om);
    if (!om) return fail(om.status());
    text = om_to_json(*om);
  }
  Status st = write_file_atomic(opt.json, text);
  if (!st.is_ok()) return fail(st.with_context("--json " + opt.json));
  return succeed(opt.warnings);
}

// Mode 3: every step up to (not including) the graph passes, a report either way.
int run_mode_precheck(const convert::ConvertOptions& opt) {
  auto prepared = convert::prepare_model(opt);
  std::string report = fmt::format(
      "{{\n  \"model\": \"{}\",\n  \"soc_version\": \"{}\",\n  \"result\": \"{}\",\n  \"reason\": {}\n}}\n", opt.model,
      opt.soc_version, prepared ? "success" : "failed",
      prepared ? "\"\"" : nlohmann::json(prepared.status().message()).dump());
  Status st = write_file_atomic(opt.check_report, report);
  if (!st.is_ok()) return fail(st.with_context("--check_report " + opt.check_report));
  fmt::print("pre-check report: {}\n", opt.check_report);
  if (!prepared) return fail(prepared.status());
  return succeed(opt.warnings);
}

int run_mode_convert(const convert::ConvertOptions& opt) {
  const bool quiet = opt.log_level == "error";
  auto result = convert::convert(opt, [quiet](const convert::ProgressEvent& e) {
    if (!quiet) fmt::print("[{:7.2f} s] {}\n", e.elapsed_s, e.message);
    std::fflush(stdout);
  });
  if (!result) return fail(result.status());
  if (opt.display_model_info) {
    auto om = offline::read_om(result->om_path);
    if (!om) return fail(om.status());
    fmt::print("{}", model_info_block(*om));
  }
  std::vector<std::string> warnings = opt.warnings;
  warnings.insert(warnings.end(), result->warnings.begin(), result->warnings.end());
  return succeed(warnings);
}

}  // namespace

int run_atc(const std::string& program, const std::vector<std::string>& args) {
  auto flags = convert::parse_atc_flags(args);
  if (flags && flags->help) {
    print_usage(program);
    return 0;
  }
  fmt::print("{}\n", kStartLine);
  std::fflush(stdout);
  if (!flags) return fail(flags.status());
  if (args.empty()) {
    return fail(invalid_argument(
        "E10007: --framework is required. The value must be 0(Caffe) or 1(MindSpore) or 3(TensorFlow) or 5(Onnx)."));
  }
  auto opt = convert::options_from_flags(*flags, convert::join_command_line(program, args));
  if (!opt) return fail(opt.status());
  for (const std::string& note : opt->notes) fmt::print("{}\n", note);
  if (opt->log_level == "debug" || opt->log_level == "info") {
    for (const std::string& name : flags->order) fmt::print(stderr, "[INFO] option --{}={}\n", name, flags->get(name));
  }
  switch (opt->mode) {
    case convert::Mode::kDisplayInfo: {
      auto om = read_om_arg(opt->om);
      if (!om) return fail(om.status());
      fmt::print("{}", model_info_block(*om));
      return succeed(opt->warnings);
    }
    case convert::Mode::kJsonDump: return run_mode_json(*opt);
    case convert::Mode::kPreCheck: return run_mode_precheck(*opt);
    case convert::Mode::kConvert: return run_mode_convert(*opt);
  }
  return fail(internal_error("unknown mode"));
}

}  // namespace kiln::tools
