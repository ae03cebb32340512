// Convolution micro-benchmark: one-node models (Conv NCHW, kiln.FusedConv NHWC + Relu) run on the
// CPU backend, median time per run and GFLOP/s for ResNet-50-shaped convolutions.
//
//   build/benchmarks/conv_bench [iterations=50] [threads=0 (physical cores)]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ops/kiln/kiln_ops.h"
#include "runtime/session.h"

namespace kiln {
namespace {

struct Case {
  const char* name;
  Shape x;  // NCHW
  int64_t m, k, stride, pad;
};

Tensor random(Shape shape, uint64_t seed) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

std::shared_ptr<ir::Model> conv_model(const Case& c, bool nhwc_fused, Tensor* input) {
  auto model = std::make_shared<ir::Model>();
  model->opsets[""] = 17;
  model->opsets["kiln"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  *input = random(nhwc_fused ? to_channels_last(c.x) : c.x, 1);
  ir::Value* x = g.get_or_create("x");
  x->type = ir::TypeInfo::tensor_of(DType::kFloat32, input->shape());
  x->is_graph_input = true;
  g.inputs.push_back(x);
  ir::Value* w = g.get_or_create("w");
  w->constant = random({c.m, c.x[1], c.k, c.k}, 2);
  w->type = ir::TypeInfo::tensor_of(DType::kFloat32, w->constant->shape());
  ir::Value* b = g.get_or_create("b");
  b->constant = random({c.m}, 3);
  b->type = ir::TypeInfo::tensor_of(DType::kFloat32, b->constant->shape());
  ir::Value* y = g.get_or_create("y");
  g.outputs.push_back(y);
  ir::Node* n = g.add_node(nhwc_fused ? "FusedConv" : "Conv", nhwc_fused ? "kiln" : "", nhwc_fused ? 1 : 17, {x, w, b}, {y}, "conv");
  n->attrs["strides"].kind = ir::Attribute::Kind::kInts;
  n->attrs["strides"].ints = {c.stride, c.stride};
  n->attrs["pads"].kind = ir::Attribute::Kind::kInts;
  n->attrs["pads"].ints = {c.pad, c.pad, c.pad, c.pad};
  if (nhwc_fused) {
    n->attrs["channels_last"].i = 1;
    n->attrs["activation"].kind = ir::Attribute::Kind::kString;
    n->attrs["activation"].s = "Relu";
  }
  return model;
}

int bench(int iterations, int threads) {
  const Case cases[] = {
      {"1x1 256->64 @56", {1, 256, 56, 56}, 64, 1, 1, 0},
      {"3x3 64->64 @56", {1, 64, 56, 56}, 64, 3, 1, 1},
      {"1x1 64->256 @56", {1, 64, 56, 56}, 256, 1, 1, 0},
      {"3x3 128->128 s2 @56", {1, 128, 56, 56}, 128, 3, 2, 1},
      {"7x7 3->64 s2 @224 (stem)", {1, 3, 224, 224}, 64, 7, 2, 3},
  };
  // GFLOP/s at the median and at the fastest run (on a busy machine the minimum shows what the
  // kernel does when it gets the cores).
  fmt::print("{:<28} {:<20} {:>9} {:>9} {:>8} {:>8}\n", "conv", "form", "median ms", "min ms", "GF/s med", "GF/s min");
  for (const Case& c : cases) {
    const int64_t oh = (c.x[2] + 2 * c.pad - c.k) / c.stride + 1, ow = (c.x[3] + 2 * c.pad - c.k) / c.stride + 1;
    const double flops = 2.0 * static_cast<double>(c.x[0] * c.m * oh * ow * c.x[1] * c.k * c.k);
    for (bool nhwc : {false, true}) {
      Tensor input;
      auto model = conv_model(c, nhwc, &input);
      if (Status s = model->graph->finalize(); !s) return fmt::print(stderr, "{}\n", s.message()), 1;
      SessionOptions o;
      o.optimize = false;
      o.threads = threads;
      auto session = Session::create(model, o);
      if (!session) return fmt::print(stderr, "{}\n", session.status().message()), 1;
      std::vector<NamedValue> feeds = {{"x", Value(input)}};
      for (int i = 0; i < 3; ++i) (void)(*session)->run(feeds);  // warm-up: primitives, caches
      std::vector<double> ms;
      for (int i = 0; i < iterations; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto out = (*session)->run(feeds);
        auto t1 = std::chrono::steady_clock::now();
        if (!out) return fmt::print(stderr, "{}\n", out.status().message()), 1;
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      const double med = ms[ms.size() / 2];
      fmt::print("{:<28} {:<20} {:>9.3f} {:>9.3f} {:>8.1f} {:>8.1f}   ({})\n", c.name, nhwc ? "FusedConv NHWC+Relu" : "Conv NCHW",
                 med, ms.front(), flops / (med * 1e6), flops / (ms.front() * 1e6), (*session)->kernel_kind(*model->graph->nodes[0]));
    }
  }
  return 0;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  return kiln::bench(iterations, threads);
}
