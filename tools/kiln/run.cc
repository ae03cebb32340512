// `kiln run --model M [--input NAME=FILE]... [--shapes NAME:1x3x224x224]... [--output-dir D]`
// Inputs come from .npy or ONNX TensorProto .pb files; omitted inputs get random data (the seed
// is printed so a run can be repeated). Outputs are written as <output-name>.npy.
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "commands.h"
#include "core/npy.h"
#include "frontend/onnx/onnx_loader.h"
#include "inputs.h"
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
  auto model = onnx_frontend::load_model(opt.model);
  if (!model) return fail(model.status());
  const auto t0 = std::chrono::steady_clock::now();
  SessionOptions session_options;
  session_options.backend = opt.backend == "reference" ? Backend::kReference : Backend::kCpu;
  session_options.threads = opt.threads;
  session_options.disabled_passes = opt.disabled_passes;
  auto session = Session::create(*model, session_options);
  if (!session) return fail(session.status());
  const auto t1 = std::chrono::steady_clock::now();
  const ir::Graph& graph = *(*model)->graph;

  auto files = parse_input_files(opt.inputs);
  if (!files) return fail(files.status());
  auto shapes = parse_shape_specs(opt.shapes);
  if (!shapes) return fail(shapes.status());
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
    outputs = (*session)->run(inputs);
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
  fmt::print("prepare {:.1f} ms; inference {:.2f} ms (median of {} run{})\n",
             std::chrono::duration<double, std::milli>(t1 - t0).count(), times[times.size() / 2], times.size(),
             times.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run a model on inputs from files (or random data) and summarize outputs");
  cmd->add_option("--model,-m", opt->model, "Model file (.onnx)")->required();
  cmd->add_option("--input,-i", opt->inputs, "NAME=FILE (.npy or ONNX TensorProto .pb); repeatable");
  cmd->add_option("--shapes", opt->shapes, "NAME:1x3x224x224 for dynamic inputs filled with random data");
  cmd->add_option("--output-dir,-o", opt->output_dir, "Write each output as <name>.npy here");
  cmd->add_option("--seed", opt->seed, "Seed for random inputs (default: time-based, printed)");
  cmd->add_option("--iterations", opt->iterations, "Run this many times and report the median time");
  cmd->add_option("--backend", opt->backend, "cpu (optimized, default) or reference (the oracle)")
      ->check(CLI::IsMember({"cpu", "reference"}));
  cmd->add_option("--threads", opt->threads, "Intra-op threads (default: physical cores)");
  cmd->add_option("--disable-pass", opt->disabled_passes, "Skip this graph pass (repeatable)");
  cmd->callback([&exit_code, opt] { exit_code = run_model(*opt); });
}

}  // namespace kiln::tools
