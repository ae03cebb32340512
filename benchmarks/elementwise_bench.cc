// Element-wise kernels: one-node models run through a Session on the CPU backend and on the
// reference backend, 1 and 2 threads; prints the median of repeated runs per case.
//
//   build/benchmarks/elementwise_bench [iterations=200]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/elementwise/kernels.h"
#include "core/cpu_features.h"
#include "runtime/session.h"

using namespace kiln;

namespace {

struct Case {
  const char* name;
  std::string op;
  std::vector<Shape> inputs;
};

Tensor random(const Shape& shape, uint64_t seed) {
  Tensor t(DType::kFloat32, shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-3, 3);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

// Median microseconds per run of `op` on `inputs`.
double time_case(const Case& c, Backend backend, int threads, int iterations) {
  auto model = std::make_shared<ir::Model>();
  model->path = c.name;
  model->opsets[""] = 17;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  std::vector<ir::Value*> ins;
  std::vector<NamedValue> feeds;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    ir::Value* v = g.get_or_create("in" + std::to_string(i));
    v->type = ir::TypeInfo::tensor_of(DType::kFloat32, c.inputs[i]);
    v->is_graph_input = true;
    g.inputs.push_back(v);
    feeds.push_back({v->name, Value(random(c.inputs[i], i + 1))});
    ins.push_back(v);
  }
  ir::Value* out = g.get_or_create("out");
  g.outputs.push_back(out);
  g.add_node(c.op, "", 17, ins, {out}, c.op);
  if (!g.finalize().is_ok()) return -1;
  SessionOptions o;
  o.backend = backend;
  o.optimize = false;
  o.threads = threads;
  auto session = Session::create(model, o);
  if (!session) return -1;
  std::vector<double> us;
  for (int i = 0; i < iterations + 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = (*session)->run(feeds);
    auto t1 = std::chrono::steady_clock::now();
    if (!r) return -1;
    if (i >= 5) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
  return us[us.size() / 2];
}

// Median microseconds of f() over `iterations` calls.
template <typename F>
double median_us(int iterations, F f) {
  std::vector<double> us;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    auto t1 = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
  return us[us.size() / 2];
}

// The row kernels alone (one thread, warm buffers, no session): what the executor adds on top.
void raw_kernels(int iterations) {
  namespace ew = kiln::cpu::elementwise;
  const ew::KernelTable& k = ew::kernel_table(cpu_isa());
  std::printf("\nrow kernels alone, %s, 1 thread, warm buffers (median us)\n", isa_name(cpu_isa()));
  for (int64_t n : {int64_t{64} * 160 * 160, int64_t{480} * 20 * 20}) {
    Tensor a = random({n}, 1), b = random({n}, 2), y(DType::kFloat32, {n});
    const float *pa = a.data<float>(), *pb = b.data<float>();
    float* py = y.data<float>();
    const double add = median_us(iterations, [&] { k.binary_f32(ew::BinOp::kAdd, ew::Bcast::kVV, pa, pb, py, n); });
    const double hs = median_us(iterations, [&] { k.unary_f32(ew::UnOp::kHardSwish, {}, pa, py, n); });
    const double sg = median_us(iterations, [&] { k.unary_f32(ew::UnOp::kSigmoid, {}, pa, py, n); });
    const double ef = median_us(iterations, [&] { k.unary_f32(ew::UnOp::kErf, {}, pa, py, n); });
    std::printf("n=%-9lld Add %8.1f  HardSwish %8.1f  Sigmoid %8.1f  Erf %8.1f\n", static_cast<long long>(n), add, hs,
                sg, ef);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
  const Case cases[] = {
      {"Add 1x64x160x160", "Add", {{1, 64, 160, 160}, {1, 64, 160, 160}}},
      {"Mul 1x64x160x160", "Mul", {{1, 64, 160, 160}, {1, 64, 160, 160}}},
      {"HardSwish 1x64x160x160", "HardSwish", {{1, 64, 160, 160}}},
      {"Sigmoid 1x64x160x160", "Sigmoid", {{1, 64, 160, 160}}},
      {"Add 1x480x20x20", "Add", {{1, 480, 20, 20}, {1, 480, 20, 20}}},
      {"Mul 1x480x20x20", "Mul", {{1, 480, 20, 20}, {1, 480, 20, 20}}},
      {"HardSwish 1x480x20x20", "HardSwish", {{1, 480, 20, 20}}},
      {"Mul 1x480x20x20 * 1x480x1x1", "Mul", {{1, 480, 20, 20}, {1, 480, 1, 1}}},
      {"Mul 1x20x20x480 * 1x1x1x480", "Mul", {{1, 20, 20, 480}, {1, 1, 1, 480}}},
      {"Add 1x128x768 + 768", "Add", {{1, 128, 768}, {768}}},
      {"Erf 1x128x3072", "Erf", {{1, 128, 3072}}},
      {"Tanh 1x128x3072", "Tanh", {{1, 128, 3072}}},
  };
  std::printf("%-32s %12s %12s %12s %12s %8s %8s\n", "case (median us)", "ref 1t", "cpu 1t", "ref 2t", "cpu 2t",
              "x 1t", "x 2t");
  for (const Case& c : cases) {
    const int ref_iters = std::max(5, iterations / 10);  // the reference is slow
    const double r1 = time_case(c, Backend::kReference, 1, ref_iters);
    const double c1 = time_case(c, Backend::kCpu, 1, iterations);
    const double r2 = time_case(c, Backend::kReference, 2, ref_iters);
    const double c2 = time_case(c, Backend::kCpu, 2, iterations);
    std::printf("%-32s %12.1f %12.1f %12.1f %12.1f %8.1f %8.1f\n", c.name, r1, c1, r2, c2, r1 / c1, r2 / c2);
  }
  raw_kernels(iterations);
  return 0;
}
