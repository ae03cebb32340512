#include "ops/kiln/activation.h"
#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::PassCheck;
using test_util::random_tensor;
using Ops = std::vector<std::string>;

TEST(FuseMatMulAdd, MatMulBiasGeluBecomesOneFusedMatMul) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {2, 7, 13});
    ir::Value* y = b.op("MatMul", {x, b.constant(random_tensor({13, 5}, 2))});
    y = b.op("Add", {b.constant(random_tensor({5}, 3)), y});  // bias first
    b.output(b.node("Gelu", {y}, 1, "kiln")->outputs[0]);
  });
  ASSERT_TRUE(c.apply(fuse_matmul_add));
  EXPECT_EQ(c.ops(), (Ops{"kiln.FusedMatMul"}));
  auto act = Activation::from_node(*c.find("FusedMatMul"));
  ASSERT_TRUE(act);
  EXPECT_EQ(act->kind, ActKind::kGelu);
  EXPECT_EQ(c.output_names(), c.original_outputs);
  EXPECT_TRUE(c.numeric());
}

TEST(FuseMatMulAdd, ClipAndLeakyReluWithParams) {
  for (const char* op : {"Clip", "LeakyRelu", "Relu", "HardSigmoid", "Tanh"}) {
    PassCheck c([op](GraphBuilder& b) {
      ir::Value* y = b.op("MatMul", {b.input("x", {3, 1, 16}), b.constant(random_tensor({16, 17}, 2))});
      y = b.op("Add", {y, b.constant(random_tensor({1, 1, 17}, 3))});
      std::vector<ir::Value*> ins{y};
      if (std::string(op) == "Clip") ins = {y, b.scalar(-0.5f), b.scalar(1.5f)};
      ir::Node* a = b.node(op, ins);
      if (std::string(op) == "LeakyRelu") test_util::attr_float(a, "alpha", 0.3f);
      b.output(a->outputs[0]);
    });
    ASSERT_TRUE(c.apply(fuse_matmul_add)) << op;
    EXPECT_EQ(c.ops(), (Ops{"kiln.FusedMatMul"})) << op;
    EXPECT_TRUE(c.numeric()) << op;
  }
}

TEST(FuseMatMulAdd, SecondConsumerOrFullBiasBlocks) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {4, 6});
    ir::Value* y = b.op("MatMul", {x, b.constant(random_tensor({6, 3}, 2))});
    b.output(b.op("Add", {y, b.constant(random_tensor({3}, 3))}));
    b.output(b.op("Relu", {y}));  // second consumer of the MatMul output
    ir::Value* z = b.op("MatMul", {x, b.constant(random_tensor({6, 3}, 4))});
    b.output(b.op("Add", {z, b.constant(random_tensor({4, 3}, 5))}));  // varies along rows too
    ir::Value* w = b.op("MatMul", {x, b.input("b", {6, 3}, 6)});    // weights not constant
    b.output(b.op("Add", {w, b.constant(random_tensor({3}, 7))}));
  });
  ASSERT_TRUE(c.apply(fuse_matmul_add));
  EXPECT_FALSE(c.changed);
}

}  // namespace
}  // namespace kiln
