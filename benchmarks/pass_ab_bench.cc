// A/B of one graph pass on a whole model in one process: two sessions of the same ONNX file, one
// with the pass disabled, run alternately (A, B, A, B, ...) on the same input, so a slow stretch
// of a shared machine hits both alike. Prints each form's median and the median of the per-pair
// ratios B/A (B = with the pass).
//
//   build/benchmarks/pass_ab_bench MODEL.onnx PASS [--threads N] [--pairs P]
// The model's first input is fed random float32 data of its static shape (unknown dims: 1).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "frontend/onnx/onnx_loader.h"
#include "runtime/session.h"

int main(int argc, char** argv) {
  using namespace kiln;
  if (argc < 3) return fmt::print(stderr, "usage: pass_ab_bench MODEL.onnx PASS [--threads N] [--pairs P]\n"), 2;
  const std::string path = argv[1], pass = argv[2];
  int threads = 1, pairs = 2000;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--pairs") pairs = std::max(1, std::atoi(argv[i + 1]));
  }
  std::unique_ptr<Session> s[2];
  for (int b = 0; b < 2; ++b) {
    auto model = onnx_frontend::load_model(path);
    if (!model) return fmt::print(stderr, "{}\n", model.status().message()), 1;
    SessionOptions o;
    o.threads = threads;
    if (b == 0) o.disabled_passes = {pass};
    auto session = Session::create(*model, o);
    if (!session) return fmt::print(stderr, "{}\n", session.status().message()), 1;
    s[b] = std::move(*session);
  }
  // One float32 input, static shape from the model.
  const ir::Value* in = s[0]->model().graph->inputs.at(0);
  if (in->type.elem != DType::kFloat32 || !in->type.dims) {
    return fmt::print(stderr, "{}: input '{}' must be float32 of known rank, got {}\n", path, in->name, in->type.str()), 1;
  }
  Shape shape;
  for (const ir::Dim& d : *in->type.dims) shape.push_back(d.known() ? d.value : 1);
  Tensor x(DType::kFloat32, shape);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = u(rng);
  std::vector<NamedValue> feeds = {{in->name, Value(x)}};
  for (int w = 0; w < 20; ++w) {
    for (auto& se : s) (void)se->run(feeds);
  }
  std::vector<double> ms[2], ratio;
  for (int p = 0; p < pairs; ++p) {
    double t[2];
    for (int b = 0; b < 2; ++b) {
      const auto t0 = std::chrono::steady_clock::now();
      auto out = s[b]->run(feeds);
      t[b] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!out) return fmt::print(stderr, "{}\n", out.status().message()), 1;
      ms[b].push_back(t[b]);
    }
    ratio.push_back(t[1] / t[0]);
  }
  const auto med = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  fmt::print("{} threads {}: without {} {:.3f} ms, with {:.3f} ms, median pair ratio {:.3f} ({} pairs)\n", path, threads, pass,
             med(ms[0]), med(ms[1]), med(ratio), pairs);
  return 0;
}
