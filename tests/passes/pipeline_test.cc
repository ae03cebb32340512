// The whole pass pipeline on a small mixed graph: CPU backend (passes on) vs reference backend.
#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::random_tensor;

void conv_bn_hardswish_head(GraphBuilder& b) {
  ir::Value* x = b.input("x", {1, 3, 9, 11});
  ir::Value* y = b.op("Conv", {x, b.constant(random_tensor({8, 3, 3, 3}, 2))});
  ir::Node* bn = b.node("BatchNormalization", {y, b.constant(random_tensor({8}, 3)), b.constant(random_tensor({8}, 4)),
                                               b.constant(random_tensor({8}, 5)),
                                               b.constant(random_tensor({8}, 6, DType::kFloat32, 0.5f, 2.0f))});
  y = b.op("Identity", {bn->outputs[0]});
  ir::Value* clip = b.op("Clip", {b.op("Add", {y, b.scalar(3)}), b.scalar(0), b.scalar(6)});
  y = b.op("Div", {b.op("Mul", {y, clip}), b.scalar(6)});
  // Flatten through a shape subgraph: Reshape(y, Concat(Gather(Shape(y), 0), [-1]))
  ir::Node* g = b.node("Gather", {b.op("Shape", {y}), b.ints({0})});
  ir::Node* cat = b.node("Concat", {g->outputs[0], b.ints({-1})});
  test_util::attr_int(cat, "axis", 0);
  y = b.op("Reshape", {y, cat->outputs[0]});
  y = b.op("MatMul", {y, b.constant(random_tensor({8 * 7 * 9, 10}, 7, DType::kFloat32, -0.1f, 0.1f))});
  y = b.op("Add", {y, b.constant(random_tensor({10}, 8))});
  b.output(b.op("Mul", {y, b.op("Sigmoid", {y})}));
}

Expected<std::vector<Value>> run(Backend backend, std::vector<std::string>* ops) {
  GraphBuilder b(17);
  conv_bn_hardswish_head(b);
  KILN_TRY(b.g->finalize());
  SessionOptions o;
  o.backend = backend;
  o.threads = 1;
  KILN_ASSIGN_OR_RETURN(auto session, Session::create(b.model, o));
  for (const auto& n : b.g->nodes) ops->push_back((n->domain.empty() ? "" : n->domain + ".") + n->op_type);
  return session->run(b.feeds);
}

TEST(PassPipeline, MixedGraphMatchesReference) {
  std::vector<std::string> ref_ops, cpu_ops;
  auto ref = run(Backend::kReference, &ref_ops);
  auto cpu = run(Backend::kCpu, &cpu_ops);
  ASSERT_TRUE(ref) << ref.status().message();
  ASSERT_TRUE(cpu) << cpu.status().message();
  // Conv + HardSwish fuse; the conv runs channels-last, and the Reshape (a flatten) reads NCHW.
  EXPECT_EQ(cpu_ops, (std::vector<std::string>{"Transpose", "kiln.FusedConv", "Transpose", "Reshape",
                                               "kiln.FusedMatMul"}));
  const Tensor& r = (*ref)[0].tensor();
  const Tensor& c = (*cpu)[0].tensor();
  ASSERT_EQ(r.shape(), c.shape());
  for (int64_t i = 0; i < r.numel(); ++i) EXPECT_NEAR(c.as_double(i), r.as_double(i), 1e-4 + 1e-4 * std::fabs(r.as_double(i))) << i;
}

TEST(PassPipeline, DisabledPassIsSkipped) {
  GraphBuilder b(17);
  b.output(b.op("Identity", {b.op("Relu", {b.input("x", {3})})}));
  ASSERT_TRUE(b.g->finalize().is_ok());
  ASSERT_TRUE(infer_types(*b.model).is_ok());
  OptimizeOptions o;
  o.disabled = {"remove_identity"};
  ASSERT_TRUE(optimize(*b.model, o).is_ok());
  EXPECT_EQ(b.g->nodes.size(), 2u);
}

}  // namespace
}  // namespace kiln
