// `kiln run --model M [--input NAME=FILE]... [--shapes NAME:1x3x224x224]... [--output-dir D]`
// Inputs come from .npy or ONNX TensorProto .pb files; omitted inputs get random data (the seed
// is printed so a run can be repeated). Outputs are written as <output-name>.npy.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>

#include "commands.h"
#include "core/npy.h"
#include "frontend/onnx/onnx_loader.h"
#include "frontend/onnx/tensor_proto.h"
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

Expected<Shape> parse_dims(const std::string& text, const std::string& what) {
  Shape shape;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("x,", pos);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(pos, end - pos);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) {
      return invalid_argument("{}: '{}' is not a shape like 1x3x224x224", what, text);
    }
    shape.push_back(std::stoll(part));
    pos = end + 1;
  }
  return shape;
}

// Random values in a range that suits the dtype (float [0,1), integers [0,10), bool).
Tensor random_tensor(DType dtype, const Shape& shape, std::mt19937_64& rng) {
  Tensor t(dtype, shape);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int64_t n = t.numel();
  KILN_DISPATCH_POD(dtype, T, {
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      double u = unit(rng);
      if constexpr (std::is_same_v<T, bool>) p[i] = u < 0.5;
      else if constexpr (std::is_integral_v<T>) p[i] = static_cast<T>(u * 10);
      else p[i] = T(static_cast<float>(u));
    }
  });
  return t;
}

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

  std::map<std::string, std::string> files;
  for (const std::string& spec : opt.inputs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) return fail(invalid_argument("--input '{}' must be NAME=FILE", spec));
    files[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  std::map<std::string, Shape> shapes;
  for (const std::string& spec : opt.shapes) {
    auto colon = spec.rfind(':');
    if (colon == std::string::npos) return fail(invalid_argument("--shapes '{}' must be NAME:1x3x224x224", spec));
    auto dims = parse_dims(spec.substr(colon + 1), "--shapes " + spec);
    if (!dims) return fail(dims.status());
    shapes[spec.substr(0, colon)] = *dims;
  }
  for (const auto& [name, file] : files) {
    bool known = std::any_of(graph.inputs.begin(), graph.inputs.end(), [&](auto* v) { return v->name == name; });
    if (!known) {
      std::string names;
      for (const ir::Value* in : graph.inputs) names += (names.empty() ? "" : ", ") + in->name;
      return fail(invalid_argument("--input names '{}', but the model's inputs are: {}", name, names));
    }
  }

  uint64_t seed = opt.seed >= 0 ? static_cast<uint64_t>(opt.seed)
                                : static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 100000;
  std::mt19937_64 rng(seed);
  bool used_random = false;
  std::vector<NamedValue> inputs;
  for (const ir::Value* in : graph.inputs) {
    if (in->constant) continue;
    auto f = files.find(in->name);
    if (f != files.end()) {
      Expected<Value> v = Value();
      if (fs::path(f->second).extension() == ".npy") {
        auto t = read_npy(f->second);
        if (!t) return fail(t.status());
        v = Value(std::move(*t));
      } else {
        v = onnx_frontend::read_value_pb(f->second, in->type);
      }
      if (!v) return fail(v.status());
      inputs.push_back({in->name, std::move(*v)});
      continue;
    }
    if (in->type.kind != ir::TypeInfo::Kind::kTensor) {
      return fail(invalid_argument("input '{}' is a {}; give it with --input", in->name, in->type.str()));
    }
    Shape shape;
    auto s = shapes.find(in->name);
    if (s != shapes.end()) {
      shape = s->second;
    } else if (in->type.fully_known()) {
      shape = in->type.concrete();
    } else {
      return fail(invalid_argument("input '{}' has dynamic shape {}; give --shapes {}:<dims> or --input", in->name,
                                   in->type.str(), in->name));
    }
    inputs.push_back({in->name, Value(random_tensor(in->type.elem, shape, rng))});
    used_random = true;
  }
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
