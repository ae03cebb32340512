#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::PassCheck;
using test_util::random_tensor;
using Ops = std::vector<std::string>;

TEST(FoldConstants, FoldsShapeSubgraphOfStaticInput) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {2, 3, 4});
    ir::Value* s = b.op("Shape", {x});
    ir::Node* g = b.node("Gather", {s, b.constant(Tensor::scalar<int64_t>(0))});
    ir::Node* u = b.node("Unsqueeze", {g->outputs[0], b.ints({0})});
    ir::Node* cat = b.node("Concat", {u->outputs[0], b.ints({-1})});
    test_util::attr_int(cat, "axis", 0);
    b.output(b.op("Reshape", {x, cat->outputs[0]}));
  });
  ASSERT_TRUE(c.apply(fold_constants));
  // Shape is inferred constant too; what is left is the Reshape with a constant shape.
  EXPECT_EQ(c.ops(), (Ops{"Reshape"}));
  const ir::Node* r = c.find("Reshape");
  ASSERT_TRUE(r && r->inputs[1]->constant);
  EXPECT_EQ(r->inputs[1]->constant->to_int64_vector(), (std::vector<int64_t>{2, -1}));
  EXPECT_TRUE(c.numeric());
}

TEST(FoldConstants, FoldsArithmeticOnInitializersButNotRandomOrGraphOutputs) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {3, 5});
    ir::Value* w = b.op("Transpose", {b.constant(random_tensor({5, 3}, 2))});
    b.output(b.op("Add", {x, w}));
    ir::Node* r = b.node("RandomNormalLike", {b.constant(random_tensor({3}, 3))});
    b.output(b.op("Mul", {r->outputs[0], b.scalar(0)}));
    b.output(b.op("Neg", {b.constant(random_tensor({2}, 4))}));  // a graph output: stays computed
  });
  ASSERT_TRUE(c.apply(fold_constants));
  EXPECT_EQ(c.ops(), (Ops{"Add", "RandomNormalLike", "Mul", "Neg"}));
  EXPECT_TRUE(c.numeric());
}

TEST(FoldConstants, OverridableInputIsNotAConstant) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {4});
    x->constant = random_tensor({4}, 9);  // input with an initializer default
    b.output(b.op("Relu", {b.op("Neg", {x})}));
  });
  ASSERT_TRUE(c.apply(fold_constants));
  EXPECT_EQ(c.ops(), (Ops{"Neg", "Relu"}));
}

TEST(EliminateDeadCode, DropsUnusedChains) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {4});
    b.op("Sigmoid", {b.op("Relu", {x})});
    b.output(b.op("Neg", {x}));
  });
  ASSERT_TRUE(c.apply(eliminate_dead_code));
  EXPECT_EQ(c.ops(), (Ops{"Neg"}));
  EXPECT_TRUE(c.numeric());
}

}  // namespace
}  // namespace kiln
