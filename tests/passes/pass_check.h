// Harness for graph-pass tests: a before-graph built in code, one pass run on it (run_pass), the
// resulting op sequence / attributes to check, and a numeric check — the before model and the
// rewritten model both on the reference backend, on the same random inputs.
//
//   PassCheck c([](GraphBuilder& b) {
//     ir::Value* x = b.input("x", {2, 7});
//     ir::Value* y = b.op("MatMul", {x, b.constant(random_tensor({7, 5}, 2))});
//     b.output(b.op("Add", {y, b.constant(random_tensor({5}, 3))}));
//   });
//   ASSERT_TRUE(c.apply(fuse_matmul_add));
//   EXPECT_EQ(c.ops(), (std::vector<std::string>{"kiln.FusedMatMul"}));
//   EXPECT_TRUE(c.numeric());
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu_check.h"
#include "passes/infer_types.h"
#include "passes/passes.h"
#include "passes/pipeline.h"
#include "runtime/session.h"

namespace kiln::test_util {

struct GraphBuilder {
  std::shared_ptr<ir::Model> model = std::make_shared<ir::Model>();
  ir::Graph* g = nullptr;
  std::vector<NamedValue> feeds;
  int opset = 17;
  int counter = 0;

  explicit GraphBuilder(int op_opset) : opset(op_opset) {
    model->path = "pass_check";
    model->opsets[""] = opset;
    model->opsets["kiln"] = 1;
    model->graph = std::make_shared<ir::Graph>();
    g = model->graph.get();
  }

  // Graph input fed with random data (deterministic per seed).
  ir::Value* input(const std::string& name, Shape shape, uint64_t seed = 1, float lo = -4, float hi = 4) {
    ir::Value* v = g->get_or_create(name);
    v->type = ir::TypeInfo::tensor_of(DType::kFloat32, shape);
    v->is_graph_input = true;
    g->inputs.push_back(v);
    feeds.push_back({name, Value(random_tensor(shape, seed, DType::kFloat32, lo, hi))});
    return v;
  }
  ir::Value* constant(const Tensor& t) {
    ir::Value* v = g->get_or_create("c" + std::to_string(counter++));
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    v->constant = t;
    return v;
  }
  ir::Value* scalar(float f) { return constant(Tensor::scalar<float>(f)); }
  ir::Value* ints(std::vector<int64_t> v) {
    int64_t n = static_cast<int64_t>(v.size());
    return constant(Tensor::from_vector<int64_t>(v, {n}));
  }
  // A node with `outputs` fresh outputs.
  ir::Node* node(const std::string& op, std::vector<ir::Value*> inputs, size_t outputs = 1, const std::string& domain = "") {
    std::vector<ir::Value*> outs;
    for (size_t i = 0; i < outputs; ++i) outs.push_back(g->get_or_create(op + "_" + std::to_string(counter++)));
    return g->add_node(op, domain, domain.empty() ? opset : 1, inputs, outs, op + std::to_string(counter++));
  }
  ir::Value* op(const std::string& op_type, std::vector<ir::Value*> inputs) { return node(op_type, inputs)->outputs[0]; }
  void output(ir::Value* v) { g->outputs.push_back(v); }
};

inline void attr_int(ir::Node* n, const std::string& k, int64_t v) {
  n->attrs[k].kind = ir::Attribute::Kind::kInt;
  n->attrs[k].i = v;
}
inline void attr_ints(ir::Node* n, const std::string& k, std::vector<int64_t> v) {
  n->attrs[k].kind = ir::Attribute::Kind::kInts;
  n->attrs[k].ints = std::move(v);
}
inline void attr_float(ir::Node* n, const std::string& k, float v) {
  n->attrs[k].kind = ir::Attribute::Kind::kFloat;
  n->attrs[k].f = v;
}

struct PassCheck {
  std::function<void(GraphBuilder&)> build;
  int opset = 17;
  double rtol = 1e-4, atol = 1e-5;
  std::unique_ptr<GraphBuilder> after;  // the rewritten model
  bool changed = false;
  std::vector<std::string> original_outputs;  // graph output names before the pass

  explicit PassCheck(std::function<void(GraphBuilder&)> f, int op_opset = 17) : build(std::move(f)), opset(op_opset) {}

  std::unique_ptr<GraphBuilder> make() const {
    auto b = std::make_unique<GraphBuilder>(opset);
    build(*b);
    return b;
  }

  // Runs one pass on a fresh copy of the graph (types inferred first, as the pipeline does).
  ::testing::AssertionResult apply(PassFn fn, const char* name = "pass") {
    after = make();
    if (Status s = after->g->finalize(); !s.is_ok()) return ::testing::AssertionFailure() << "finalize: " << s.message();
    if (Status s = infer_types(*after->model); !s.is_ok()) return ::testing::AssertionFailure() << "infer: " << s.message();
    size_t before = after->g->nodes.size();
    original_outputs = output_names();
    std::vector<std::string> before_ops = ops();
    if (Status s = run_pass(*after->g, Pass{name, fn}); !s.is_ok()) return ::testing::AssertionFailure() << s.message();
    changed = ops() != before_ops || after->g->nodes.size() != before;
    return ::testing::AssertionSuccess();
  }

  // Op types of the rewritten graph in execution order ("kiln.Gelu" for other domains).
  std::vector<std::string> ops() const {
    std::vector<std::string> out;
    for (const auto& n : after->g->nodes) out.push_back((n->domain.empty() ? "" : n->domain + ".") + n->op_type);
    return out;
  }
  const ir::Node* find(const std::string& op_type) const {
    for (const auto& n : after->g->nodes) {
      if (n->op_type == op_type) return n.get();
    }
    return nullptr;
  }
  std::vector<std::string> output_names() const {
    std::vector<std::string> names;
    for (const ir::Value* v : after->g->outputs) names.push_back(v->name);
    return names;
  }

  static Expected<std::vector<Value>> run_reference(GraphBuilder& b) {
    KILN_TRY(b.g->finalize());
    SessionOptions o;
    o.backend = Backend::kReference;
    o.optimize = false;
    o.threads = 1;
    KILN_ASSIGN_OR_RETURN(auto session, Session::create(b.model, o));
    return session->run(b.feeds);
  }

  // Before vs after on the reference backend: |after - before| <= atol + rtol * |before|.
  ::testing::AssertionResult numeric() const {
    auto before_model = make();
    auto ref = run_reference(*before_model);
    if (!ref) return ::testing::AssertionFailure() << "before: " << ref.status().message();
    auto got = run_reference(*after);
    if (!got) return ::testing::AssertionFailure() << "after: " << got.status().message();
    if (ref->size() != got->size()) return ::testing::AssertionFailure() << "output count differs";
    for (size_t o = 0; o < ref->size(); ++o) {
      const Tensor& r = (*ref)[o].tensor();
      const Tensor& c = (*got)[o].tensor();
      if (r.dtype() != c.dtype() || r.shape() != c.shape()) {
        return ::testing::AssertionFailure() << "output " << o << ": before " << r.describe() << " after " << c.describe();
      }
      for (int64_t i = 0; i < r.numel(); ++i) {
        double a = r.as_double(i), x = c.as_double(i);
        if (!((std::isnan(a) && std::isnan(x)) || a == x || std::fabs(a - x) <= atol + rtol * std::fabs(a))) {
          return ::testing::AssertionFailure() << "output " << o << " element " << i << " of " << r.describe()
                                               << ": before " << a << " after " << x;
        }
      }
    }
    return ::testing::AssertionSuccess();
  }
};

}  // namespace kiln::test_util
