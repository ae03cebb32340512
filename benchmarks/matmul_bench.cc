// MatMul micro-benchmark: BERT-base-shaped one-node models (MatMul with constant weights, the
// attention batched MatMul with both operands as inputs, kiln.FusedMatMul + bias + Gelu) and
// MobileNetV2's classifier on the CPU backend. Each is prepared twice, with the packed GEMM
// (packed_gemm/) and with oneDNN's matmul, and the two run alternately; median time per run,
// GFLOP/s and the ratio, on 1 and 2 threads. "(same)" marks a case both sessions run on oneDNN
// (B not constant, or more rows than kPackedGemmMaxRows). With evict = 1, 64 MiB are written
// before every run, as a network's other layers would: the weights then come from DRAM, as they
// do in BERT.
//
//   build/benchmarks/matmul_bench [iterations=50] [evict=0]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/packed_gemm/packed_gemm.h"
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
  const bool evict = argc > 2 && std::atoi(argv[2]) != 0;
  const std::vector<Case> cases = {
      {"qkv/out proj [128,768]x[768,768]", {128, 768}, {768, 768}, true, false},
      {"ffn up [128,768]x[768,3072]", {128, 768}, {768, 3072}, true, false},
      {"ffn down [128,3072]x[3072,768]", {128, 3072}, {3072, 768}, true, false},
      {"attn scores [12,128,64]x[12,64,128]", {12, 128, 64}, {12, 64, 128}, false, false},
      {"ffn up fused bias+gelu", {128, 768}, {768, 3072}, true, true},
      {"classifier [1,1280]x[1280,1000]", {1, 1280}, {1280, 1000}, true, false},
      {"resnet50 b16 fc [16,2048]x[2048,1000]", {16, 2048}, {2048, 1000}, true, false},
      {"rows 4 [4,1024]x[1024,1024]", {4, 1024}, {1024, 1024}, true, false},
      {"rows 40 [40,120]x[120,6625]", {40, 120}, {120, 6625}, true, false},
      {"rows 64 [64,768]x[768,768]", {64, 768}, {768, 768}, true, false},
  };
  // Written between runs when evicting: in a network the weights of one layer are long gone from
  // the caches by the time it runs again (BERT reads 340 MB of weights per run).
  std::vector<char> evictor(evict ? 64 << 20 : 0);
  fmt::print("{} runs per path, alternating packed GEMM and oneDNN matmul{}\n", iterations,
             evict ? ", 64 MiB written before each run" : "");
  for (int threads : {1, 2}) {
    for (const Case& c : cases) {
      std::vector<NamedValue> feeds;
      auto model = model_for(c, &feeds);
      if (!model->graph->finalize().is_ok()) return 1;
      SessionOptions o;
      o.backend = Backend::kCpu;
      o.optimize = false;
      o.threads = threads;
      std::unique_ptr<Session> sessions[2];  // [0] packed GEMM, [1] oneDNN
      for (int path = 0; path < 2; ++path) {
        cpu::set_packed_gemm_preference(path == 0 ? 1 : 0);
        auto session = Session::create(model, o);
        if (!session) {
          fmt::print("{}: {}\n", c.name, session.status().message());
          return 1;
        }
        sessions[path] = std::move(*session);
      }
      cpu::set_packed_gemm_preference(-1);
      std::vector<double> ms[2];
      bool took[2] = {false, false};
      for (int i = 0; i < iterations + 3; ++i) {
        for (int path = 0; path < 2; ++path) {
          for (size_t j = 0; j < evictor.size(); j += 64) evictor[j] = static_cast<char>(evictor[j] + 1);
          const int64_t before = cpu::packed_gemm_runs();
          auto t0 = std::chrono::steady_clock::now();
          auto r = sessions[path]->run(feeds);
          auto t1 = std::chrono::steady_clock::now();
          if (!r) {
            fmt::print("{}: {}\n", c.name, r.status().message());
            return 1;
          }
          took[path] = cpu::packed_gemm_runs() != before;
          if (i >= 3) ms[path].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
      }
      double med[2];
      for (int path = 0; path < 2; ++path) {
        std::sort(ms[path].begin(), ms[path].end());
        med[path] = ms[path][ms[path].size() / 2];
      }
      fmt::print("threads={} {:<38} {:<6} {:8.3f} ms {:6.1f} GFLOP/s | oneDNN {:8.3f} ms {:6.1f} GFLOP/s | {:.2f}\n", threads,
                 c.name, took[0] ? "packed" : "(same)", med[0], flops(c) / med[0] / 1e6, med[1], flops(c) / med[1] / 1e6,
                 med[0] / med[1]);
      if (took[1]) fmt::print("  (the oneDNN session ran the packed GEMM)\n");
    }
  }
  return 0;
}
