#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::PassCheck;
using test_util::random_tensor;
using Ops = std::vector<std::string>;

// BatchNormalization over `channels` with positive variances.
ir::Value* batchnorm(GraphBuilder& b, ir::Value* x, int64_t channels) {
  ir::Node* bn = b.node("BatchNormalization", {x, b.constant(random_tensor({channels}, 11)), b.constant(random_tensor({channels}, 12)),
                                               b.constant(random_tensor({channels}, 13)),
                                               b.constant(random_tensor({channels}, 14, DType::kFloat32, 0.1f, 2.0f))});
  test_util::attr_float(bn, "epsilon", 1e-3f);
  return bn->outputs[0];
}

TEST(FuseBatchnorm, ConvWithAndWithoutBias) {
  for (bool bias : {false, true}) {
    PassCheck c([bias](GraphBuilder& b) {
      std::vector<ir::Value*> ins{b.input("x", {1, 6, 7, 9}), b.constant(random_tensor({4, 3, 3, 3}, 2))};
      if (bias) ins.push_back(b.constant(random_tensor({4}, 3)));
      ir::Node* conv = b.node("Conv", ins);
      test_util::attr_int(conv, "group", 2);
      b.output(batchnorm(b, conv->outputs[0], 4));
    });
    ASSERT_TRUE(c.apply(fuse_batchnorm));
    EXPECT_EQ(c.ops(), (Ops{"Conv"}));
    EXPECT_EQ(c.output_names(), c.original_outputs);
    EXPECT_TRUE(c.numeric());
  }
}

TEST(FuseBatchnorm, GroupedConvTranspose) {
  PassCheck c([](GraphBuilder& b) {
    // W [C=6, M/g=5, 3, 3], group 3: M = 15 output channels
    ir::Node* ct = b.node("ConvTranspose", {b.input("x", {1, 6, 5, 4}), b.constant(random_tensor({6, 5, 3, 3}, 2)),
                                            b.constant(random_tensor({15}, 3))});
    test_util::attr_int(ct, "group", 3);
    test_util::attr_ints(ct, "strides", {2, 2});
    b.output(batchnorm(b, ct->outputs[0], 15));
  });
  ASSERT_TRUE(c.apply(fuse_batchnorm));
  EXPECT_EQ(c.ops(), (Ops{"ConvTranspose"}));
  EXPECT_TRUE(c.numeric());
}

TEST(FuseBatchnorm, GemmTransBAndMatMul) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {3, 13});
    ir::Node* gemm = b.node("Gemm", {x, b.constant(random_tensor({7, 13}, 2)), b.constant(random_tensor({7}, 3))});
    test_util::attr_int(gemm, "transB", 1);
    test_util::attr_float(gemm, "alpha", 0.5f);
    test_util::attr_float(gemm, "beta", 2.0f);
    b.output(batchnorm(b, gemm->outputs[0], 7));
    ir::Value* m = b.op("MatMul", {x, b.constant(random_tensor({13, 7}, 4))});
    b.output(batchnorm(b, m, 7));
  });
  ASSERT_TRUE(c.apply(fuse_batchnorm));
  EXPECT_EQ(c.ops(), (Ops{"Gemm", "kiln.FusedMatMul"}));
  EXPECT_TRUE(c.numeric());
}

TEST(FuseBatchnorm, ConvThenPerChannelMulAdd) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* y = b.op("Conv", {b.input("x", {2, 3, 5, 5}), b.constant(random_tensor({4, 3, 1, 1}, 2))});
    y = b.op("Mul", {b.constant(random_tensor({4, 1, 1}, 3)), y});
    b.output(b.op("Add", {y, b.constant(random_tensor({1, 4, 1, 1}, 4))}));
  });
  ASSERT_TRUE(c.apply(fuse_batchnorm));
  EXPECT_EQ(c.ops(), (Ops{"Conv"}));
  EXPECT_TRUE(c.numeric());
}

// PP-OCRv4 det's head: ConvTranspose without bias -> Add(bias [1, M, 1, 1]) -> BatchNormalization.
TEST(FuseBatchnorm, ConvTransposeThenBiasAddThenBatchnorm) {
  PassCheck c([](GraphBuilder& b) {
    ir::Node* ct = b.node("ConvTranspose", {b.input("x", {1, 6, 5, 4}), b.constant(random_tensor({6, 5, 2, 2}, 2))});
    test_util::attr_int(ct, "group", 3);
    test_util::attr_ints(ct, "strides", {2, 2});
    ir::Value* y = b.op("Add", {ct->outputs[0], b.constant(random_tensor({1, 15, 1, 1}, 3))});
    b.output(batchnorm(b, y, 15));
  });
  ASSERT_TRUE(c.apply(fuse_batchnorm));
  EXPECT_EQ(c.ops(), (Ops{"ConvTranspose"}));
  EXPECT_EQ(c.output_names(), c.original_outputs);
  EXPECT_TRUE(c.numeric());
}

TEST(FuseBatchnorm, SecondConsumerOrNonChannelConstantBlocks) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {1, 3, 5, 5});
    ir::Value* y = b.op("Conv", {x, b.constant(random_tensor({4, 3, 1, 1}, 2))});
    b.output(batchnorm(b, y, 4));
    b.output(b.op("Relu", {y}));  // conv output read twice
    ir::Value* z = b.op("Conv", {x, b.constant(random_tensor({4, 3, 1, 1}, 3))});
    b.output(b.op("Mul", {z, b.constant(random_tensor({4, 1, 5}, 4))}));  // varies along H, W too
  });
  ASSERT_TRUE(c.apply(fuse_batchnorm));
  EXPECT_FALSE(c.changed);
}

}  // namespace
}  // namespace kiln
