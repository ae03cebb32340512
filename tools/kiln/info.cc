// `kiln info MODEL [--graph] [--optimized [--shapes NAME:1x3x224x224]...]`: inputs/outputs, op
// histogram, parameters, unsupported ops; for an .om everything stored (om_report.h); --optimized adds the op histogram after the CPU
// backend's graph passes (inputs fixed to --shapes first, as `kiln run` does).
#include <cstdlib>
#include <map>

#include "commands.h"
#include "frontend/onnx/onnx_loader.h"
#include "ir/printer.h"
#include "offline/offline_model.h"
#include "om_report.h"
#include "passes/infer_types.h"
#include "runtime/batch_split.h"
#include "runtime/memory_plan.h"
#include "runtime/session.h"
#include "summary.h"

namespace kiln::tools {

namespace {

// "x:1x3x640x640" -> ("x", {1, 3, 640, 640})
Status parse_shape(const std::string& spec, std::map<std::string, Shape>& shapes) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos) return invalid_argument("--shapes '{}' must be NAME:1x3x224x224", spec);
  Shape dims;
  std::string rest = spec.substr(colon + 1);
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t x = rest.find('x', pos);
    std::string part = rest.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    char* end = nullptr;
    long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v < 0) return invalid_argument("--shapes '{}': '{}' is not a dimension", spec, part);
    dims.push_back(v);
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  shapes[spec.substr(0, colon)] = dims;
  return Status::ok();
}

int print_optimized(const std::string& path, const std::vector<std::string>& shape_specs, bool print_graph_text) {
  SessionOptions options;
  for (const std::string& spec : shape_specs) {
    if (Status s = parse_shape(spec, options.input_shapes); !s.is_ok()) {
      fmt::print(stderr, "error: {}\n", s.message());
      return 1;
    }
  }
  auto model = onnx_frontend::load_model(path);
  if (!model) {
    fmt::print(stderr, "error: {}\n", model.status().message());
    return 1;
  }
  std::shared_ptr<ir::Model> m = std::move(*model);
  auto session = Session::create(m, options);
  if (!session) {
    fmt::print(stderr, "error: {}\n", session.status().message());
    return 1;
  }
  fmt::print("\nafter the graph passes (backend cpu):\n");
  print_op_histogram(*m->graph);
  // Memory the prepared model needs: weights (initializers after folding) and the activation
  // arena of the static plan (values of unknown size, with dynamic shapes, are not in it).
  size_t weight_bytes = 0;
  for (const auto& v : m->graph->values()) {
    if (v->constant) weight_bytes += v->constant->nbytes();
  }
  const MemoryPlan& plan = (*session)->memory_plan();
  fmt::print("\nmemory:\n  weights              {:.2f} MiB\n", weight_bytes / 1048576.0);
  fmt::print("  activation arena     {:.2f} MiB peak ({} values planned, {:.2f} MiB without reuse)\n",
             plan.arena_bytes / 1048576.0, plan.slots.size(), plan.unshared_bytes / 1048576.0);
  size_t cpu_nodes = 0;
  for (const auto& n : m->graph->nodes) cpu_nodes += (*session)->kernel_kind(*n) == "cpu";
  fmt::print("  kernels              {} of {} nodes on CPU kernels, the rest on reference kernels\n", cpu_nodes,
             m->graph->nodes.size());
  const BatchSplit& split = (*session)->batch_split();
  if (split.batch > 1) {
    fmt::print("  batch split          {} sub-batches of {} image(s), one per thread, on kernels and an arena for the sub-batch\n", split.runs(), split.images);
  } else {
    fmt::print("  batch split          no: {}\n", split.reason);
  }
  if (print_graph_text) fmt::print("\n{}", ir::print_graph(*m->graph));
  return 0;
}

int run_info(const std::string& path, bool print_graph_text) {
  if (offline::is_om_file(path)) {
    auto om = offline::read_om(path);
    if (!om) {
      fmt::print(stderr, "error: {}\n", om.status().message());
      return 1;
    }
    print_om_info(path, *om, print_graph_text);
    return 0;
  }
  auto model = onnx_frontend::load_model(path);
  if (!model) {
    fmt::print(stderr, "error: {}\n", model.status().message());
    return 1;
  }
  ir::Model& m = **model;
  Status inferred = infer_types(m);
  const ir::Graph& g = *m.graph;
  fmt::print("model       {}\n", path);
  fmt::print("producer    {} {}\n", m.producer_name, m.producer_version);
  fmt::print("ir_version  {}\n", m.ir_version);
  std::string opsets;
  for (const auto& [domain, version] : m.opsets) opsets += fmt::format("{}{}={}", opsets.empty() ? "" : ", ", domain.empty() ? "ai.onnx" : domain, version);
  fmt::print("opsets      {}\n", opsets);
  fmt::print("\ninputs:\n");
  for (const ir::Value* v : g.inputs) {
    fmt::print("  {:<24} {}{}\n", v->name, v->type.str(), v->constant ? "  (has initializer default)" : "");
  }
  fmt::print("outputs:\n");
  for (const ir::Value* v : g.outputs) fmt::print("  {:<24} {}\n", v->name, v->type.str());

  // Weights live in initializers or, in some exporters (Paddle2ONNX), in Constant nodes.
  int64_t params = 0, bytes = 0, tensors = 0;
  auto count = [&](const Tensor& t) {
    ++tensors;
    params += t.numel();
    bytes += static_cast<int64_t>(t.nbytes());
  };
  for (const auto& v : g.values()) {
    if (v->constant) count(*v->constant);
  }
  for (const auto& node : g.nodes) {
    if (node->op_type != "Constant" || !node->domain.empty()) continue;
    if (const ir::Attribute* a = node->attr("value"); a && a->t.valid()) count(a->t);
  }
  fmt::print("\nparameters  {} in {} initializers/constants, {:.2f} MiB\n", params, tensors, static_cast<double>(bytes) / (1 << 20));
  fmt::print("\n");
  print_op_histogram(g);

  Status supported = check_supported(m);
  if (!supported.is_ok()) fmt::print("\n{}\n", supported.message());
  if (!inferred.is_ok()) fmt::print("\nshape inference: {}\n", inferred.message());
  if (print_graph_text) fmt::print("\n{}", ir::print_graph(g));
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("info", "Print a model's inputs, outputs, ops and parameters");
  auto path = std::make_shared<std::string>();
  auto graph = std::make_shared<bool>(false);
  auto optimized = std::make_shared<bool>(false);
  auto shapes = std::make_shared<std::vector<std::string>>();
  cmd->add_option("model", *path, "Model file (.onnx or .om)")->required();
  cmd->add_flag("--graph", *graph, "Also print the IR as text (with --optimized: also after the passes)");
  cmd->add_flag("--optimized", *optimized, "Also print the op histogram after the graph passes");
  cmd->add_option("--shapes", *shapes, "With --optimized: fix an input's shape, NAME:1x3x224x224 (repeatable)");
  cmd->callback([&exit_code, path, graph, optimized, shapes] {
    exit_code = run_info(*path, *graph);
    // An .om is optimized already; its stored graph is what run_info printed.
    if (exit_code == 0 && *optimized && !offline::is_om_file(*path)) exit_code = print_optimized(*path, *shapes, *graph);
  });
}

}  // namespace kiln::tools
