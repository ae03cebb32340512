// Harness: every optimized CPU kernel is checked against the reference backend (the oracle).
// A one-node model runs twice — on the reference kernels and on the CPU backend without graph
// passes — and the outputs must agree within tolerance. It also fails when the CPU backend did not
// actually take the node (so a test cannot pass by silently falling back to the reference).
//
//   CpuCheck c("Conv", 13);
//   c.input(random_tensor({1, 13, 7, 9}, 1));     // graph input (fed at run time)
//   c.constant(random_tensor({8, 13, 3, 3}, 2));  // initializer (weights packed at prepare)
//   c.attr_ints("pads", {1, 1, 1, 1});
//   EXPECT_TRUE(c.check());                       // prints op/shapes/attrs and the worst element
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace kiln::test_util {

// N(0,1)-ish values, deterministic per seed.
inline Tensor random_tensor(Shape shape, uint64_t seed, DType dtype = DType::kFloat32, float lo = -2, float hi = 2) {
  Tensor t(dtype, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  if (dtype == DType::kFloat32) {
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = u(rng);
  } else if (dtype == DType::kInt64) {
    int64_t* p = t.data<int64_t>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<int64_t>(u(rng));
  } else if (dtype == DType::kInt32) {
    int32_t* p = t.data<int32_t>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<int32_t>(u(rng));
  } else if (dtype == DType::kBool) {
    bool* p = t.data<bool>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = u(rng) > 0;
  }
  return t;
}

struct CpuCheck {
  std::string op, domain;
  int opset;
  size_t num_outputs;
  std::vector<std::pair<Tensor, bool>> inputs;  // (value, is_constant); invalid Tensor = omitted
  std::map<std::string, ir::Attribute> attrs;
  double rtol = 1e-4, atol = 1e-5;
  // Added to atol times the reference output's RMS: for kernels whose rounding error follows the
  // output's scale rather than each element (Winograd F(4x4, 3x3) forms outputs as differences of
  // terms ~100x larger, so an output near zero keeps the error of its neighbours).
  double rms_atol = 0;
  int threads = 2;
  bool require_cpu_kernel = true;

  CpuCheck(std::string op_type, int op_opset, size_t outputs = 1, std::string op_domain = "")
      : op(std::move(op_type)), domain(std::move(op_domain)), opset(op_opset), num_outputs(outputs) {}

  void input(const Tensor& t) { inputs.push_back({t, false}); }
  void constant(const Tensor& t) { inputs.push_back({t, true}); }
  void omitted() { inputs.push_back({Tensor(), false}); }
  void attr_int(const std::string& k, int64_t v) { attrs[k].kind = ir::Attribute::Kind::kInt; attrs[k].i = v; }
  void attr_ints(const std::string& k, std::vector<int64_t> v) {
    attrs[k].kind = ir::Attribute::Kind::kInts;
    attrs[k].ints = std::move(v);
  }
  void attr_float(const std::string& k, float v) { attrs[k].kind = ir::Attribute::Kind::kFloat; attrs[k].f = v; }
  void attr_floats(const std::string& k, std::vector<float> v) {
    attrs[k].kind = ir::Attribute::Kind::kFloats;
    attrs[k].floats = std::move(v);
  }
  void attr_string(const std::string& k, const std::string& v) {
    attrs[k].kind = ir::Attribute::Kind::kString;
    attrs[k].s = v;
  }

  std::shared_ptr<ir::Model> build(std::vector<NamedValue>* feeds) const {
    auto model = std::make_shared<ir::Model>();
    model->path = "cpu_check_" + op;
    model->opsets[domain] = opset;
    if (!domain.empty()) model->opsets[""] = 17;
    model->graph = std::make_shared<ir::Graph>();
    ir::Graph& g = *model->graph;
    std::vector<ir::Value*> ins;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const auto& [t, is_const] = inputs[i];
      if (!t.valid()) {
        ins.push_back(nullptr);
        continue;
      }
      ir::Value* v = g.get_or_create("in" + std::to_string(i));
      v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
      if (is_const) {
        v->constant = t;
      } else {
        v->is_graph_input = true;
        g.inputs.push_back(v);
        feeds->push_back({v->name, Value(t)});
      }
      ins.push_back(v);
    }
    std::vector<ir::Value*> outs;
    for (size_t i = 0; i < num_outputs; ++i) {
      outs.push_back(g.get_or_create("out" + std::to_string(i)));
      g.outputs.push_back(outs.back());
    }
    ir::Node* n = g.add_node(op, domain, opset, ins, outs, op);
    n->attrs = attrs;
    return model;
  }

  std::string describe() const {
    std::string s = (domain.empty() ? "" : domain + ".") + op + " inputs:";
    for (const auto& [t, c] : inputs) s += " " + (t.valid() ? t.describe() + (c ? "(const)" : "") : "<omitted>");
    for (const auto& [k, a] : attrs) {
      s += " " + k + "=";
      if (a.kind == ir::Attribute::Kind::kInt) s += std::to_string(a.i);
      else if (a.kind == ir::Attribute::Kind::kFloat) s += std::to_string(a.f);
      else if (a.kind == ir::Attribute::Kind::kString) s += "'" + a.s + "'";
      else if (a.kind == ir::Attribute::Kind::kInts) s += shape_str(a.ints);
      else if (a.kind == ir::Attribute::Kind::kFloats) s += std::to_string(a.floats.size()) + " floats";
    }
    return s;
  }

  Expected<std::vector<Value>> run(Backend backend, std::string* kind = nullptr) const {
    std::vector<NamedValue> feeds;
    auto model = build(&feeds);
    KILN_TRY(model->graph->finalize());
    SessionOptions o;
    o.backend = backend;
    o.optimize = false;
    o.threads = threads;
    KILN_ASSIGN_OR_RETURN(auto session, Session::create(model, o));
    if (kind) *kind = session->kernel_kind(*model->graph->nodes[0]);
    return session->run(feeds);
  }

  // Runs both backends and compares every output element:
  // |cpu - ref| <= atol + rms_atol * RMS(ref) + rtol * |ref|.
  ::testing::AssertionResult check() const {
    auto ref = run(Backend::kReference);
    if (!ref) return ::testing::AssertionFailure() << describe() << "\nreference failed: " << ref.status().message();
    std::string kind;
    auto cpu = run(Backend::kCpu, &kind);
    if (!cpu) return ::testing::AssertionFailure() << describe() << "\ncpu failed: " << cpu.status().message();
    if (require_cpu_kernel && kind != "cpu") {
      return ::testing::AssertionFailure() << describe() << "\nthe CPU backend did not take the node (ran " << kind << ")";
    }
    for (size_t o = 0; o < ref->size(); ++o) {
      const Tensor& r = (*ref)[o].tensor();
      const Tensor& c = (*cpu)[o].tensor();
      if (r.dtype() != c.dtype() || r.shape() != c.shape()) {
        return ::testing::AssertionFailure() << describe() << "\noutput " << o << ": reference " << r.describe()
                                             << " vs cpu " << c.describe();
      }
      double tol = atol;
      if (rms_atol > 0 && r.numel() > 0) {
        double sum2 = 0;
        for (int64_t i = 0; i < r.numel(); ++i) sum2 += r.as_double(i) * r.as_double(i);
        tol += rms_atol * std::sqrt(sum2 / static_cast<double>(r.numel()));
      }
      for (int64_t i = 0; i < r.numel(); ++i) {
        double a = r.as_double(i), b = c.as_double(i);
        bool ok = (std::isnan(a) && std::isnan(b)) || a == b || std::fabs(a - b) <= tol + rtol * std::fabs(a);
        if (!ok) {
          return ::testing::AssertionFailure() << describe() << "\noutput " << o << " element " << i << " of "
                                               << r.describe() << ": reference " << a << " vs cpu " << b;
        }
      }
    }
    return ::testing::AssertionSuccess();
  }
};

}  // namespace kiln::test_util
