// Depthwise kiln.FusedConv (channels-last, bias + Clip(0, 6)) on the MobileNetV2 and PP-OCR
// shapes: one-node models run through a Session, median latency per shape at 1 and 2 threads.
// A/B: run once with KILN_OWN_DEPTHWISE=1 (our kernel takes every shape; by default they go to
// oneDNN, which measured faster) and once without (oneDNN's jit_dw), alternating runs, since the
// choice is fixed per process.
//
//   build/benchmarks/depthwise_bench [--filter SUBSTR] [--seconds S]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace {

using namespace kiln;

struct Shape2 {
  const char* name;
  int64_t c, h, w, k, sh, sw;
};

// MobileNetV2 (224x224) and PP-OCRv4 det (640x640) shapes; rec/cls rows approximate their stages.
const Shape2 kShapes[] = {
    {"mbv2 32@112 s1", 32, 112, 112, 3, 1, 1},   {"mbv2 96@112 s2", 96, 112, 112, 3, 2, 2},
    {"mbv2 144@56 s1", 144, 56, 56, 3, 1, 1},    {"mbv2 144@56 s2", 144, 56, 56, 3, 2, 2},
    {"mbv2 192@28 s1", 192, 28, 28, 3, 1, 1},    {"mbv2 384@14 s1", 384, 14, 14, 3, 1, 1},
    {"mbv2 576@14 s1", 576, 14, 14, 3, 1, 1},    {"mbv2 960@7 s1", 960, 7, 7, 3, 1, 1},
    {"det 16@320 s1", 16, 320, 320, 3, 1, 1},    {"det 32@320 s2", 32, 320, 320, 3, 2, 2},
    {"det 48@160 s1", 48, 160, 160, 3, 1, 1},    {"det 96@80 s1", 96, 80, 80, 3, 1, 1},
    {"det 192@40 5x5 s1", 192, 40, 40, 5, 1, 1}, {"det 192@40 5x5 s2", 192, 40, 40, 5, 2, 2},
    {"det 384@20 5x5 s1", 384, 20, 20, 5, 1, 1}, {"rec 64@24x160 s2x1", 64, 24, 160, 3, 2, 1},
    {"rec 240@6x40 5x5 s1", 240, 6, 40, 5, 1, 1}, {"rec 480@3x40 5x5 s1", 480, 3, 40, 5, 1, 1},
    {"cls 88@6x24 5x5 s1", 88, 6, 24, 5, 1, 1},  {"cls 200@3x12 5x5 s1", 200, 3, 12, 5, 1, 1},
};

Tensor random_tensor(Shape shape, uint64_t seed) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

std::shared_ptr<ir::Model> make_model(const Shape2& s) {
  auto model = std::make_shared<ir::Model>();
  model->opsets["kiln"] = 1;
  model->opsets[""] = 17;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* x = g.get_or_create("x");
  x->type = ir::TypeInfo::tensor_of(DType::kFloat32, {1, s.h, s.w, s.c});
  x->is_graph_input = true;
  g.inputs.push_back(x);
  ir::Value* w = g.get_or_create("w");
  w->constant = random_tensor({s.c, 1, s.k, s.k}, 2);
  w->type = ir::TypeInfo::tensor_of(DType::kFloat32, w->constant->shape());
  ir::Value* b = g.get_or_create("b");
  b->constant = random_tensor({s.c}, 3);
  b->type = ir::TypeInfo::tensor_of(DType::kFloat32, b->constant->shape());
  ir::Value* y = g.get_or_create("y");
  g.outputs.push_back(y);
  ir::Node* n = g.add_node("FusedConv", "kiln", 1, {x, w, b}, {y}, "dw");
  auto set_ints = [&](const char* k, std::vector<int64_t> v) {
    n->attrs[k].kind = ir::Attribute::Kind::kInts;
    n->attrs[k].ints = std::move(v);
  };
  const int64_t p = s.k / 2;
  set_ints("kernel_shape", {s.k, s.k});
  set_ints("strides", {s.sh, s.sw});
  set_ints("pads", {p, p, p, p});
  n->attrs["group"].kind = ir::Attribute::Kind::kInt;
  n->attrs["group"].i = s.c;
  n->attrs["channels_last"].kind = ir::Attribute::Kind::kInt;
  n->attrs["channels_last"].i = 1;
  n->attrs["activation"].kind = ir::Attribute::Kind::kString;
  n->attrs["activation"].s = "Clip";
  n->attrs["activation_params"].kind = ir::Attribute::Kind::kFloats;
  n->attrs["activation_params"].floats = {0.f, 6.f};
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  std::string filter;
  double seconds = 0.5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--filter")) filter = argv[i + 1];
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
  }
  const char* disabled = std::getenv("KILN_CPU_DISABLE");
  std::printf("# KILN_CPU_DISABLE=%s\n# shape\tthreads\tkernel\tmedian_ms\tmin_ms\tGFLOP/s\n", disabled ? disabled : "");
  for (const Shape2& s : kShapes) {
    if (!filter.empty() && std::string(s.name).find(filter) == std::string::npos) continue;
    const int64_t oh = (s.h - 1) / s.sh + 1, ow = (s.w - 1) / s.sw + 1;
    const double flops = 2.0 * oh * ow * s.c * s.k * s.k;
    for (int threads : {1, 2}) {
      auto model = make_model(s);
      if (auto st = model->graph->finalize(); !st.is_ok()) {
        std::fprintf(stderr, "%s: %s\n", s.name, st.message().c_str());
        return 1;
      }
      SessionOptions o;
      o.optimize = false;
      o.threads = threads;
      auto session = Session::create(model, o);
      if (!session) {
        std::fprintf(stderr, "%s: %s\n", s.name, session.status().message().c_str());
        return 1;
      }
      const std::string kind = (*session)->kernel_kind(*model->graph->nodes[0]);
      std::vector<NamedValue> feeds = {{"x", Value(random_tensor({1, s.h, s.w, s.c}, 1))}};
      for (int i = 0; i < 3; ++i) (void)(*session)->run(feeds);
      std::vector<double> ms;
      const auto start = std::chrono::steady_clock::now();
      while (ms.size() < 5 || (ms.size() < 2000 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds)) {
        const auto t0 = std::chrono::steady_clock::now();
        auto out = (*session)->run(feeds);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (!out) {
          std::fprintf(stderr, "%s: %s\n", s.name, out.status().message().c_str());
          return 1;
        }
      }
      std::sort(ms.begin(), ms.end());
      const double med = ms[ms.size() / 2];
      std::printf("%s\t%d\t%s\t%.4f\t%.4f\t%.1f\n", s.name, threads, kind.c_str(), med, ms[0], flops / med / 1e6);
      std::fflush(stdout);
    }
  }
  return 0;
}
