// Timings of the CPU tensor family against the reference kernels on the shapes that matter for
// PP-OCR: NCHW<->NHWC transposes, nearest x2 upsampling (NHWC and NCHW), a 4-way Concat.
// Each case is a one-node model run through Session (executor overhead included); prints the
// median of --iterations runs (default 50) for 1 and 2 threads.
//
//   build/benchmarks/tensor_bench [iterations] [name filter, e.g. Concat]
#include <fmt/core.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "backends/cpu/tensor/transpose.h"
#include "core/cpu_features.h"
#include "runtime/session.h"

namespace kiln {
namespace {

struct Case {
  std::string name, op, domain;
  int opset;
  std::vector<Tensor> inputs;     // fed at run time
  std::vector<Tensor> constants;  // initializers, after the runtime inputs (empty Tensor = omitted)
  std::map<std::string, ir::Attribute> attrs;
};

std::shared_ptr<ir::Model> build(const Case& c, std::vector<NamedValue>* feeds) {
  auto model = std::make_shared<ir::Model>();
  model->path = "tensor_bench_" + c.op;
  model->opsets[c.domain] = c.opset;
  if (!c.domain.empty()) model->opsets[""] = 17;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  std::vector<ir::Value*> ins;
  int k = 0;
  for (const Tensor& t : c.inputs) {
    ir::Value* v = g.get_or_create("in" + std::to_string(k++));
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    v->is_graph_input = true;
    g.inputs.push_back(v);
    feeds->push_back({v->name, Value(t)});
    ins.push_back(v);
  }
  for (const Tensor& t : c.constants) {
    if (!t.valid()) {
      ins.push_back(nullptr);
      continue;
    }
    ir::Value* v = g.get_or_create("in" + std::to_string(k++));
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    v->constant = t;
    ins.push_back(v);
  }
  ir::Value* out = g.get_or_create("out");
  g.outputs.push_back(out);
  ir::Node* n = g.add_node(c.op, c.domain, c.opset, ins, {out}, c.op);
  n->attrs = c.attrs;
  return model;
}

struct Timing {
  double median = -1, min = -1;
};

// Median and fastest milliseconds per run (negative on error).
Timing time_case(const Case& c, Backend backend, int threads, int iterations, std::string* kind) {
  std::vector<NamedValue> feeds;
  auto model = build(c, &feeds);
  if (!model->graph->finalize().is_ok()) return {};
  SessionOptions o;
  o.backend = backend;
  o.optimize = false;
  o.threads = threads;
  auto session = Session::create(model, o);
  if (!session) {
    fmt::print("  create failed: {}\n", session.status().message());
    return {};
  }
  *kind = (*session)->kernel_kind(*model->graph->nodes[0]);
  std::vector<double> ms;
  for (int i = 0; i < iterations + 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = (*session)->run(feeds);
    auto t1 = std::chrono::steady_clock::now();
    if (!r) {
      fmt::print("  run failed: {}\n", r.status().message());
      return {};
    }
    if (i >= 3) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[0]};
}

Tensor ramp(Shape shape) {
  Tensor t(DType::kFloat32, std::move(shape));
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(i % 1000) * 0.001f;
  return t;
}

ir::Attribute ints_attr(std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}
ir::Attribute str_attr(std::string s) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = std::move(s);
  return a;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  using namespace kiln;  // NOLINT
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
  const Tensor scales2 = Tensor::from_vector<float>({1, 1, 2, 2}, {4});
  std::vector<Case> cases;
  cases.push_back({"Transpose [1,64,160,160] perm [0,2,3,1]", "Transpose", "", 13, {ramp({1, 64, 160, 160})}, {},
                   {{"perm", ints_attr({0, 2, 3, 1})}}});
  cases.push_back({"Transpose [1,160,160,64] perm [0,3,1,2]", "Transpose", "", 13, {ramp({1, 160, 160, 64})}, {},
                   {{"perm", ints_attr({0, 3, 1, 2})}}});
  const std::map<std::string, ir::Attribute> nearest = {{"mode", str_attr("nearest")},
                                                        {"coordinate_transformation_mode", str_attr("asymmetric")},
                                                        {"nearest_mode", str_attr("floor")}};
  cases.push_back({"NhwcResize nearest x2 [1,80,80,96] (NCHW [1,96,80,80])", "NhwcResize", "kiln", 13,
                   {ramp({1, 80, 80, 96})}, {Tensor(), scales2}, nearest});
  cases.push_back({"Resize nearest x2 NCHW [1,96,80,80]", "Resize", "", 13, {ramp({1, 96, 80, 80})},
                   {Tensor(), scales2}, nearest});
  ir::Attribute axis;
  axis.kind = ir::Attribute::Kind::kInt;
  axis.i = 1;
  cases.push_back({"Concat 4x[1,96,160,160] axis 1", "Concat", "", 13,
                   {ramp({1, 96, 160, 160}), ramp({1, 96, 160, 160}), ramp({1, 96, 160, 160}), ramp({1, 96, 160, 160})},
                   {}, {{"axis", axis}}});
  // Calibration: a plain memcpy of 6.5 MB (the transposes' size) on this (shared, noisy) machine.
  {
    std::vector<char> a(64 * 160 * 160 * 4, 1), b(a.size(), 2);
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      std::memcpy(b.data(), a.data(), a.size());
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    fmt::print("memcpy 6.5 MB: median {:.3f} min {:.3f} ms\n", ms[ms.size() / 2], ms[0]);
  }
  // Kernel only (preallocated buffers, no executor, current OpenMP threads): the transposes.
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    std::vector<float> a(64 * 160 * 160, 1.0f), b(a.size());
    const int64_t nchw[] = {1, 64, 160, 160}, nhwc[] = {1, 160, 160, 64};
    const int64_t to_last[] = {0, 2, 3, 1}, to_first[] = {0, 3, 1, 2};
    for (int dir = 0; dir < 2; ++dir) {
      std::vector<double> ms;
      for (int i = 0; i < 30; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        cpu::tensor::transpose_bytes(a.data(), b.data(), 4, 4, dir ? nhwc : nchw, dir ? to_first : to_last);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      fmt::print("transpose_bytes kernel only {} ({} threads, isa {}): median {:.3f} min {:.3f} ms\n",
                 dir ? "NHWC->NCHW" : "NCHW->NHWC", threads, isa_name(cpu_isa()), ms[ms.size() / 2], ms[0]);
    }
  }
  omp_set_num_threads(2);
  fmt::print("median ms over {} runs (Session::run, executor overhead included)\n", iterations);
  for (const Case& c : cases) {
    if (argc > 2 && c.name.find(argv[2]) == std::string::npos) continue;
    fmt::print("{}\n", c.name);
    for (int threads : {1, 2}) {
      std::string kr, kc;
      const Timing ref = time_case(c, Backend::kReference, threads, std::max(5, iterations / 5), &kr);
      const Timing cpu = time_case(c, Backend::kCpu, threads, iterations, &kc);
      fmt::print("  threads {}: reference median {:8.3f} min {:8.3f} ms | cpu({}) median {:7.3f} min {:7.3f} ms | "
                 "median speedup {:5.1f}x\n",
                 threads, ref.median, ref.min, kc, cpu.median, cpu.min, ref.median / cpu.median);
    }
  }
  return 0;
}
