#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::PassCheck;
using test_util::random_tensor;
using Ops = std::vector<std::string>;

// PP-OCRv4 det's RSE block: x + x * hardsigmoid(conv(avgpool(x))), every operand order.
TEST(FactorScaledResidual, ResidualTimesChannelWeight) {
  for (int order = 0; order < 4; ++order) {
    PassCheck c([order](GraphBuilder& b) {
      ir::Value* x = b.op("Relu", {b.input("x", {1, 6, 9, 7})});
      ir::Value* s = b.op("Sigmoid", {b.op("GlobalAveragePool", {x})});  // [1, 6, 1, 1]
      ir::Value* m = order & 1 ? b.op("Mul", {s, x}) : b.op("Mul", {x, s});
      b.output(order & 2 ? b.op("Add", {m, x}) : b.op("Add", {x, m}));
    });
    ASSERT_TRUE(c.apply(factor_scaled_residual));
    EXPECT_EQ(c.ops(), (Ops{"Relu", "GlobalAveragePool", "Sigmoid", "Add", "Mul"}));
    EXPECT_EQ(c.output_names(), c.original_outputs);
    EXPECT_TRUE(c.numeric());
  }
}

// Left alone: the product is read elsewhere too, the scale is as large as x, or x * s is not
// added to x itself.
TEST(FactorScaledResidual, OnlyWhenTheProductIsPrivateAndTheScaleSmall) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {1, 6, 9, 7});
    ir::Value* s = b.op("Sigmoid", {b.op("GlobalAveragePool", {x})});
    ir::Value* m = b.op("Mul", {x, s});
    b.output(b.op("Add", {x, m}));
    b.output(m);                                                             // product read twice
    ir::Value* full = b.input("full", {1, 6, 9, 7});
    b.output(b.op("Add", {x, b.op("Mul", {x, full})}));                      // scale as large as x
    ir::Value* y = b.input("y", {1, 6, 9, 7});
    b.output(b.op("Add", {y, b.op("Mul", {x, b.constant(random_tensor({6, 1, 1}, 3))})}));  // y + x * s
  });
  ASSERT_TRUE(c.apply(factor_scaled_residual));
  EXPECT_FALSE(c.changed);
}

}  // namespace
}  // namespace kiln
