#include <algorithm>

#include "ops/kiln/matmul_layout.h"
#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::attr_int;
using test_util::attr_ints;
using test_util::GraphBuilder;
using test_util::PassCheck;
using test_util::random_tensor;
using Ops = std::vector<std::string>;

ir::Value* transpose(GraphBuilder& b, ir::Value* x, std::vector<int64_t> perm) {
  ir::Node* t = b.node("Transpose", {x});
  attr_ints(t, "perm", std::move(perm));
  return t->outputs[0];
}

// One attention head group as exported from PyTorch (after simplify_transposes): Q, K, V stored
// [B, S, H, D] and read through transposes, scores / sqrt(D) + mask, softmax, context transposed
// back to [B, S, H, D].
void attention(GraphBuilder& b, int64_t batch, int64_t s, int64_t h, int64_t d) {
  ir::Value* q = b.input("q", {batch, s, h, d}, 1, -1, 1);
  ir::Value* k = b.input("k", {batch, s, h, d}, 2, -1, 1);
  ir::Value* v = b.input("v", {batch, s, h, d}, 3, -1, 1);
  ir::Value* mask = b.input("mask", {batch, 1, 1, s}, 4, -3, 0);
  ir::Value* scores = b.op("MatMul", {transpose(b, q, {0, 2, 1, 3}), transpose(b, k, {0, 2, 3, 1})});
  scores = b.op("Div", {scores, b.scalar(std::sqrt(static_cast<float>(d)))});
  scores = b.op("Add", {scores, mask});
  ir::Node* sm = b.node("Softmax", {scores});
  attr_int(sm, "axis", -1);
  ir::Value* ctx = b.op("MatMul", {sm->outputs[0], transpose(b, v, {0, 2, 1, 3})});
  b.output(transpose(b, ctx, {0, 2, 1, 3}));
}

TEST(FuseMatMulLayout, AttentionKeepsNoTransposeDivOrAdd) {
  PassCheck c([](GraphBuilder& b) { attention(b, 1, 13, 3, 8); });
  ASSERT_TRUE(c.apply(fuse_matmul_layout));
  EXPECT_EQ(c.ops(), (Ops{"kiln.FusedMatMul", "Softmax", "kiln.FusedMatMul"}));
  const ir::Node* scores = c.after->g->nodes[0].get();
  auto l = MatMulLayout::from_node(*scores);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->perm_a, (std::vector<int64_t>{0, 2, 1, 3}));
  EXPECT_EQ(l->perm_b, (std::vector<int64_t>{0, 2, 3, 1}));
  EXPECT_TRUE(l->perm_y.empty());
  EXPECT_FLOAT_EQ(l->alpha, 1.f / std::sqrt(8.f));
  EXPECT_EQ(scores->inputs.size(), 3u);  // the mask is the addend
  auto lc = MatMulLayout::from_node(*c.after->g->nodes[2]);
  ASSERT_TRUE(lc);
  EXPECT_TRUE(lc->perm_a.empty());
  EXPECT_EQ(lc->perm_b, (std::vector<int64_t>{0, 2, 1, 3}));
  EXPECT_EQ(lc->perm_y, (std::vector<int64_t>{0, 2, 1, 3}));
  EXPECT_EQ(c.output_names(), c.original_outputs);
  EXPECT_TRUE(c.numeric());
}

TEST(FuseMatMulLayout, BatchOfTwoAndMulOnTheLeft) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* a = b.input("a", {2, 5, 7});
    ir::Value* w = b.input("w", {2, 9, 7});
    ir::Value* y = b.op("MatMul", {a, transpose(b, w, {0, 2, 1})});  // B column-major
    b.output(b.op("Mul", {b.scalar(-0.75f), y}));
  });
  ASSERT_TRUE(c.apply(fuse_matmul_layout));
  EXPECT_EQ(c.ops(), (Ops{"kiln.FusedMatMul"}));
  EXPECT_FLOAT_EQ(c.after->g->nodes[0]->attr_float("alpha", 1), -0.75f);
  EXPECT_TRUE(c.numeric());
}

TEST(FuseMatMulLayout, LayoutsNoGemmReadsAndOtherUsesStay) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {2, 3, 4, 5});
    // Moves the stored last axis out of both matrix dims: no unit stride left for a GEMM.
    ir::Value* y = b.op("MatMul", {transpose(b, x, {0, 3, 1, 2}), b.input("w", {4, 6}, 2)});
    // The result's last dim moved: a GEMM cannot write that.
    b.output(transpose(b, y, {0, 1, 3, 2}));
    // A second consumer of the product keeps the Div out.
    ir::Value* z = b.op("MatMul", {b.input("p", {3, 4}, 3), b.input("r", {4, 5}, 4)});
    b.output(b.op("Div", {z, b.scalar(2.f)}));
    b.output(b.op("Relu", {z}));
    // Constant weights: the plain MatMul (packed weights) stays, and so does its transposed input.
    ir::Value* wt = b.op("MatMul", {transpose(b, b.input("act", {5, 4}, 11), {1, 0}), b.constant(random_tensor({5, 6}, 12))});
    b.output(b.op("Div", {wt, b.scalar(4.f)}));
    // Not a scalar: stays a Div. An addend that would grow the product stays an Add.
    ir::Value* u = b.op("MatMul", {b.input("s", {3, 4}, 5), b.input("t", {4, 5}, 6)});
    b.output(b.op("Div", {u, b.constant(random_tensor({5}, 7, DType::kFloat32, 1, 2))}));
    ir::Value* m = b.op("MatMul", {b.input("m1", {3, 4}, 8), b.input("m2", {4, 5}, 9)});
    b.output(b.op("Add", {m, b.input("grow", {2, 3, 5}, 10)}));
  });
  ASSERT_TRUE(c.apply(fuse_matmul_layout));
  EXPECT_FALSE(c.changed) << ::testing::PrintToString(c.ops());
}

TEST(FuseMatMulLayout, NoAddendBehindATransposedResultNorScaleAfterActivation) {
  PassCheck c([](GraphBuilder& b) {
    // MatMul + Add (folded), then Transpose: oneDNN cannot add into a transposed result.
    ir::Value* y = b.op("MatMul", {b.input("a", {2, 3, 4}), b.input("b", {2, 4, 5}, 2)});
    y = b.op("Add", {y, b.input("c", {1, 5}, 3)});
    b.output(transpose(b, y, {1, 0, 2}));
    // A fused activation comes after alpha would: the Mul stays.
    ir::Node* f = b.node("FusedMatMul", {b.input("d", {3, 4}, 4), b.input("e", {4, 5}, 5)}, 1, "kiln");
    f->attrs["activation"].kind = ir::Attribute::Kind::kString;
    f->attrs["activation"].s = "Relu";
    b.output(b.op("Mul", {f->outputs[0], b.scalar(3.f)}));
  });
  ASSERT_TRUE(c.apply(fuse_matmul_layout));
  Ops ops = c.ops();
  std::sort(ops.begin(), ops.end());
  EXPECT_EQ(ops, (Ops{"Mul", "Transpose", "kiln.FusedMatMul", "kiln.FusedMatMul"}));
  EXPECT_TRUE(c.numeric());
}

}  // namespace
}  // namespace kiln
