// kiln.PointwiseDepthwise against the two kiln.FusedConvs it replaces (1x1 expand + Clip(0, 6),
// 3x3 depthwise + Clip(0, 6), channels-last) on MobileNetV2's expand shapes: two-node models
// run through a Session with and without the fuse_pointwise_depthwise pass, alternating, median
// time per run. Between runs the benchmark writes --flush MB of other memory, as the rest of a
// network does (default 8; 0 for hot caches).
//
//   build/benchmarks/pointwise_depthwise_bench [--threads N] [--flush MB] [--rounds R] [--filter SUBSTR]
//       [--rewrite 1|2]   (X rewritten by the team before each run, each thread its own half / the other)
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ops/kiln/kiln_ops.h"
#include "runtime/session.h"

namespace kiln {
namespace {

struct Case {
  const char* name;
  int64_t h, k, c, stride;
};

Tensor random(Shape shape, uint64_t seed, float lo = -1, float hi = 1) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

ir::Value* constant(ir::Graph& g, const std::string& name, Tensor t) {
  ir::Value* v = g.get_or_create(name);
  v->type = ir::TypeInfo::tensor_of(DType::kFloat32, t.shape());
  v->constant = std::move(t);
  return v;
}

void set_ints(ir::Node* n, const char* key, std::vector<int64_t> v) {
  n->attrs[key].kind = ir::Attribute::Kind::kInts;
  n->attrs[key].ints = std::move(v);
}

void set_relu6(ir::Node* n) {
  n->attrs["channels_last"].i = 1;
  n->attrs["activation"].kind = ir::Attribute::Kind::kString;
  n->attrs["activation"].s = "Clip";
  n->attrs["activation_params"].kind = ir::Attribute::Kind::kFloats;
  n->attrs["activation_params"].floats = {0.f, 6.f};
}

std::shared_ptr<ir::Model> block_model(const Case& c) {
  auto model = std::make_shared<ir::Model>();
  model->opsets[""] = 17;
  model->opsets["kiln"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* x = g.get_or_create("x");
  x->type = ir::TypeInfo::tensor_of(DType::kFloat32, {1, c.h, c.h, c.k});
  x->is_graph_input = true;
  g.inputs.push_back(x);
  ir::Value* t = g.get_or_create("t");
  ir::Value* y = g.get_or_create("y");
  g.outputs.push_back(y);
  const float scale = 1.f / static_cast<float>(c.k);
  ir::Node* pw = g.add_node("FusedConv", "kiln", 1,
                            {x, constant(g, "wp", random({c.c, c.k, 1, 1}, 2, -scale, scale)), constant(g, "bp", random({c.c}, 3))},
                            {t}, "expand");
  set_relu6(pw);
  ir::Node* dw = g.add_node("FusedConv", "kiln", 1,
                            {t, constant(g, "wd", random({c.c, 1, 3, 3}, 4, -0.3f, 0.3f)), constant(g, "bd", random({c.c}, 5))},
                            {y}, "depthwise");
  set_relu6(dw);
  set_ints(dw, "strides", {c.stride, c.stride});
  set_ints(dw, "pads", {1, 1, 1, 1});
  set_ints(dw, "kernel_shape", {3, 3});
  dw->attrs["group"].i = c.c;
  return model;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  using namespace kiln;
  int threads = 1, rounds = 5, rewrite = 0;
  double flush_mb = 8;
  std::string filter;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--flush") flush_mb = std::atof(argv[i + 1]);
    else if (a == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--filter") filter = argv[i + 1];
    else if (a == "--rewrite") rewrite = std::atoi(argv[i + 1]);
  }
  const Case cases[] = {
      {"mbv2 features.2 16->96 @112 s2", 112, 16, 96, 2},
      {"mbv2 features.3 24->144 @56 s1", 56, 24, 144, 1},
      {"mbv2 features.4 24->144 @56 s2", 56, 24, 144, 2},
      {"mbv2 features.5 32->192 @28 s1", 28, 32, 192, 1},
  };
  std::vector<char> flush(static_cast<size_t>(flush_mb * (1 << 20)));
  fmt::print("{:<34} {:>7} {:>12} {:>12} {:>6}   (threads {}, flush {} MB, {} rounds of 200 runs)\n", "block", "", "two nodes ms",
             "fused ms", "ratio", threads, flush_mb, rounds);
  for (const Case& c : cases) {
    if (!filter.empty() && std::string(c.name).find(filter) == std::string::npos) continue;
    Tensor input = random({1, c.h, c.h, c.k}, 1);
    std::unique_ptr<Session> sessions[2];
    for (int fused = 0; fused < 2; ++fused) {
      SessionOptions o;
      o.threads = threads;
      if (!fused) o.disabled_passes = {"fuse_pointwise_depthwise"};
      auto model = block_model(c);
      if (Status s = model->graph->finalize(); !s) return fmt::print(stderr, "{}\n", s.message()), 1;
      auto s = Session::create(model, o);
      if (!s) return fmt::print(stderr, "{}\n", s.status().message()), 1;
      sessions[fused] = std::move(*s);
    }
    std::vector<NamedValue> feeds = {{"x", Value(input)}};
    std::vector<double> medians[2];
    for (int r = 0; r < rounds; ++r) {
      for (int fused = 0; fused < 2; ++fused) {
        std::vector<double> ms;
        for (int i = 0; i < 200; ++i) {
          if (!flush.empty()) std::memset(flush.data(), i, flush.size());
          if (rewrite) {
            // X rewritten by the team before each run, as the previous node does in a network:
            // 1 = each thread its own half of the rows, 2 = the other half.
            float* xd = input.data<float>();
            const int64_t n = input.numel();
#pragma omp parallel num_threads(threads)
            {
              int t = omp_get_thread_num(), nt = omp_get_num_threads();
              if (rewrite == 2) t = nt - 1 - t;
              for (int64_t j = n * t / nt; j < n * (t + 1) / nt; ++j) xd[j] = xd[j] * 1.0000001f;
            }
          }
          const auto t0 = std::chrono::steady_clock::now();
          auto out = sessions[fused]->run(feeds);
          const auto t1 = std::chrono::steady_clock::now();
          if (!out) return fmt::print(stderr, "{}\n", out.status().message()), 1;
          ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
        std::sort(ms.begin(), ms.end());
        medians[fused].push_back(ms[ms.size() / 2]);
      }
    }
    for (auto& m : medians) std::sort(m.begin(), m.end());
    const double a = medians[0][medians[0].size() / 2], b = medians[1][medians[1].size() / 2];
    fmt::print("{:<34} {:>7} {:>12.3f} {:>12.3f} {:>6.2f}\n", c.name, "", a, b, b / a);
  }
  return 0;
}
