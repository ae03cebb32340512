// MatMul micro-benchmark: BERT-base-shaped one-node models (MatMul with constant weights, the
// attention batched MatMul with both operands as inputs, kiln.FusedMatMul + bias + Gelu) on the
// CPU backend; median time per run and GFLOP/s, on 1 and 2 threads.
//
//   build/benchmarks/matmul_bench [iterations=50]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace kiln {
namespace {

struct Case {
  const char* name;
  Shape a, b;
  bool const_b;
  bool fused;  // kiln.FusedMatMul with bias [N] and Gelu
};

Tensor random(Shape shape, uint64_t seed) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

ir::Value* add_value(ir::Graph& g, const std::string& name, const Tensor& t, bool constant, std::vector<NamedValue>* feeds) {
  ir::Value* v = g.get_or_create(name);
  v->type = ir::TypeInfo::tensor_of(DType::kFloat32, t.shape());
  if (constant) {
    v->constant = t;
  } else {
    v->is_graph_input = true;
    g.inputs.push_back(v);
    feeds->push_back({name, Value(t)});
  }
  return v;
}

std::shared_ptr<ir::Model> model_for(const Case& c, std::vector<NamedValue>* feeds) {
  auto model = std::make_shared<ir::Model>();
  model->opsets[""] = 17;
  model->opsets["kiln"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  std::vector<ir::Value*> ins = {add_value(g, "a", random(c.a, 1), false, feeds), add_value(g, "b", random(c.b, 2), c.const_b, feeds)};
  if (c.fused) ins.push_back(add_value(g, "bias", random({c.b.back()}, 3), true, feeds));
  ir::Value* y = g.get_or_create("y");
  g.outputs.push_back(y);
  ir::Node* n = g.add_node(c.fused ? "FusedMatMul" : "MatMul", c.fused ? "kiln" : "", c.fused ? 1 : 17, ins, {y}, "mm");
  if (c.fused) {
    n->attrs["activation"].kind = ir::Attribute::Kind::kString;
    n->attrs["activation"].s = "Gelu";
  }
  return model;
}

double flops(const Case& c) {
  const int64_t K = c.a.back(), N = c.b.back();
  return 2.0 * static_cast<double>(shape_numel(c.a) / K) * static_cast<double>(K) * static_cast<double>(N);
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  using namespace kiln;
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
  const std::vector<Case> cases = {
      {"qkv/out proj [128,768]x[768,768]", {128, 768}, {768, 768}, true, false},
      {"ffn up [128,768]x[768,3072]", {128, 768}, {768, 3072}, true, false},
      {"ffn down [128,3072]x[3072,768]", {128, 3072}, {3072, 768}, true, false},
      {"attn scores [12,128,64]x[12,64,128]", {12, 128, 64}, {12, 64, 128}, false, false},
      {"ffn up fused bias+gelu", {128, 768}, {768, 3072}, true, true},
  };
  for (int threads : {1, 2}) {
    for (const Case& c : cases) {
      std::vector<NamedValue> feeds;
      auto model = model_for(c, &feeds);
      if (!model->graph->finalize().is_ok()) return 1;
      SessionOptions o;
      o.backend = Backend::kCpu;
      o.optimize = false;
      o.threads = threads;
      auto session = Session::create(model, o);
      if (!session) {
        fmt::print("{}: {}\n", c.name, session.status().message());
        return 1;
      }
      const std::string kind = (*session)->kernel_kind(*model->graph->nodes[0]);
      for (int i = 0; i < 5; ++i) (void)(*session)->run(feeds);
      std::vector<double> ms;
      for (int i = 0; i < iterations; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto r = (*session)->run(feeds);
        auto t1 = std::chrono::steady_clock::now();
        if (!r) {
          fmt::print("{}: {}\n", c.name, r.status().message());
          return 1;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      const double med = ms[ms.size() / 2];
      fmt::print("threads={} {:<40} kernel={:<9} median {:8.3f} ms  min {:8.3f} ms  {:7.1f} GFLOP/s\n", threads, c.name,
                 kind, med, ms.front(), flops(c) / med / 1e6);
    }
  }
  return 0;
}
