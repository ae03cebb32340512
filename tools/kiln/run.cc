// `kiln run --model M [--input NAME=FILE]... [--shapes NAME:1x3x224x224]... [--output-dir D]
//           [--dymBatch N | --dymHW H,W | --dymDims D,D,...]`
// M is an .onnx or an .om (kiln convert / atc). Inputs come from .npy or ONNX TensorProto .pb
// files; omitted inputs get random data (the seed is printed so a run can be repeated). Outputs are
// written as <output-name>.npy. For an .om with gears, --dymBatch/--dymHW/--dymDims pick the gear
// (default: the largest).
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "commands.h"
#include "core/npy.h"
#include "inputs.h"
#include "model_source.h"
#include "runtime/session.h"
#include "summary.h"

namespace kiln::tools {

namespace fs = std::filesystem;

namespace {

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> shapes;
  std::string output_dir;
  int64_t seed = -1;
  int iterations = 1;
  std::string backend = "cpu";
  int threads = 0;
  std::vector<std::string> disabled_passes;
  GearChoice gear;
};

std::string safe_file_name(std::string name) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return name.empty() ? "output" : name;
}

int fail(const Status& st) {
  fmt::print(stderr, "error: {}\n", st.message());
  return 1;
}

int run_model(const RunOptions& opt) {
  SessionOptions session_options;
  session_options.backend = opt.backend == "reference" ? Backend::kReference : Backend::kCpu;
  session_options.threads = opt.threads;
  session_options.disabled_passes = opt.disabled_passes;
  auto opened = open_model(opt.model, session_options);
  if (!opened) return fail(opened.status());
  const Session* session = opened->session.get();
  const ir::Graph& graph = *session->model().graph;

  auto files = parse_input_files(opt.inputs);
  if (!files) return fail(files.status());
  auto shapes = parse_shape_specs(opt.shapes);
  if (!shapes) return fail(shapes.status());
  std::string gear;
  auto gear_shapes = gear_input_shapes(*opened, opt.gear, &gear);
  if (!gear_shapes) return fail(gear_shapes.status());
  if (!gear.empty()) fmt::print("gear   {}\n", gear);
  for (const auto& [name, shape] : *gear_shapes) shapes->try_emplace(name, shape);
  const uint64_t seed = resolve_seed(opt.seed);
  auto fed = make_inputs(graph, *files, *shapes, seed);
  if (!fed) return fail(fed.status());
  const std::vector<NamedValue>& inputs = fed->values;
  const bool used_random = fed->used_random;
  if (used_random) fmt::print("random inputs with seed {} (repeat with --seed {})\n", seed, seed);
  for (const NamedValue& nv : inputs) fmt::print("input  {}\n", summarize_value(nv.name, nv.value));

  std::vector<double> times;
  Expected<std::vector<Value>> outputs = std::vector<Value>{};
  for (int it = 0; it < std::max(1, opt.iterations); ++it) {
    const auto a = std::chrono::steady_clock::now();
    outputs = session->run(inputs);
    const auto b = std::chrono::steady_clock::now();
    if (!outputs) return fail(outputs.status());
    times.push_back(std::chrono::duration<double, std::milli>(b - a).count());
  }
  for (size_t i = 0; i < outputs->size(); ++i) {
    fmt::print("output {}\n", summarize_value(graph.outputs[i]->name, (*outputs)[i]));
  }
  if (!opt.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(opt.output_dir, ec);
    for (size_t i = 0; i < outputs->size(); ++i) {
      const Value& v = (*outputs)[i];
      if (!v.is_tensor()) continue;
      std::string path = (fs::path(opt.output_dir) / (safe_file_name(graph.outputs[i]->name) + ".npy")).string();
      Status st = write_npy(path, v.tensor());
      if (!st.is_ok()) return fail(st);
      fmt::print("wrote  {}\n", path);
    }
  }
  std::sort(times.begin(), times.end());
  fmt::print("{} {:.1f} ms, prepare {:.1f} ms; inference {:.2f} ms (median of {} run{})\n",
             opened->om ? "load .om" : "import", opened->load_ms, opened->prepare_ms, times[times.size() / 2], times.size(),
             times.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run a model on inputs from files (or random data) and summarize outputs");
  cmd->add_option("--model,-m", opt->model, "Model file (.onnx, or .om from kiln convert / atc)")->required();
  cmd->add_option("--input,-i", opt->inputs, "NAME=FILE (.npy or ONNX TensorProto .pb); repeatable");
  cmd->add_option("--shapes", opt->shapes, "NAME:1x3x224x224 for dynamic inputs filled with random data");
  cmd->add_option("--output-dir,-o", opt->output_dir, "Write each output as <name>.npy here");
  cmd->add_option("--seed", opt->seed, "Seed for random inputs (default: time-based, printed)");
  cmd->add_option("--iterations", opt->iterations, "Run this many times and report the median time");
  cmd->add_option("--backend", opt->backend, "cpu (optimized, default) or reference (the oracle)")
      ->check(CLI::IsMember({"cpu", "reference"}));
  cmd->add_option("--threads", opt->threads, "Intra-op threads (default: physical cores)");
  cmd->add_option("--disable-pass", opt->disabled_passes, "Skip this graph pass (repeatable)");
  cmd->add_option("--dymBatch", opt->gear.batch, ".om with --dynamic_batch_size: run this batch gear");
  cmd->add_option("--dymHW", opt->gear.hw, ".om with --dynamic_image_size: run this H,W gear");
  cmd->add_option("--dymDims", opt->gear.dims, ".om with --dynamic_dims: run this gear (d1,d2,...)");
  cmd->callback([&exit_code, opt] { exit_code = run_model(*opt); });
}

}  // namespace kiln::tools
