#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::PassCheck;
using Ops = std::vector<std::string>;

ir::Value* transpose(GraphBuilder& b, ir::Value* x, std::vector<int64_t> perm) {
  ir::Node* t = b.node("Transpose", {x});
  test_util::attr_ints(t, "perm", std::move(perm));
  return t->outputs[0];
}

TEST(SimplifyTransposes, PairAroundActivationAndScalarOpCancels) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {1, 3, 5, 7});
    ir::Value* y = transpose(b, x, {0, 2, 3, 1});  // NCHW -> NHWC
    y = b.node("Silu", {y}, 1, "kiln")->outputs[0];
    y = transpose(b, y, {0, 3, 1, 2});  // back
    y = transpose(b, b.op("Relu", {y}), {0, 2, 3, 1});
    y = b.op("Mul", {y, b.scalar(0.5f)});
    b.output(transpose(b, y, {0, 3, 1, 2}));
  });
  ASSERT_TRUE(c.apply(simplify_transposes));
  EXPECT_EQ(c.ops(), (Ops{"kiln.Silu", "Relu", "Mul"}));
  EXPECT_EQ(c.output_names(), c.original_outputs);
  EXPECT_TRUE(c.numeric());
}

TEST(SimplifyTransposes, ComposesTransposesAndReshapes) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {2, 3, 4, 5});
    ir::Value* y = transpose(b, transpose(b, x, {0, 2, 3, 1}), {3, 0, 2, 1});
    b.output(b.op("Reshape", {b.op("Reshape", {y, b.ints({6, 20})}), b.ints({-1, 10})}));
    b.output(transpose(b, transpose(b, x, {1, 0, 2, 3}), {1, 0, 2, 3}));  // identity: output keeps its name
  });
  ASSERT_TRUE(c.apply(simplify_transposes));
  EXPECT_EQ(c.ops(), (Ops{"Transpose", "Reshape", "Identity"}));
  EXPECT_EQ(c.output_names(), c.original_outputs);
  EXPECT_TRUE(c.numeric());
}

TEST(SimplifyTransposes, TransposeOfUnitDimsBecomesReshape) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {1, 6, 1, 5});
    b.output(transpose(b, x, {2, 1, 0, 3}));
    b.output(transpose(b, x, {0, 3, 2, 1}));  // swaps 6 and 5: a real transpose
  });
  ASSERT_TRUE(c.apply(simplify_transposes));
  EXPECT_EQ(c.ops(), (Ops{"Transpose", "Reshape"}));
  EXPECT_TRUE(c.numeric());
}

TEST(SimplifyTransposes, SecondConsumerBlocksCancel) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {2, 3, 4});
    ir::Value* t = transpose(b, x, {0, 2, 1});
    ir::Value* r = b.op("Relu", {t});
    b.output(transpose(b, r, {0, 2, 1}));
    b.output(r);
  });
  ASSERT_TRUE(c.apply(simplify_transposes));
  EXPECT_EQ(c.ops(), (Ops{"Transpose", "Relu", "Transpose"}));
}

}  // namespace
}  // namespace kiln
