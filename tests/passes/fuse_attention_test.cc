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

ir::Node* fused_matmul(GraphBuilder& b, std::vector<ir::Value*> in, const MatMulLayout& l) {
  ir::Node* n = b.node("FusedMatMul", std::move(in), 1, "kiln");
  l.write_to(*n);
  return n;
}

// Attention as fuse_matmul_layout leaves it: scores FusedMatMul (head views, scale, mask),
// Softmax, context FusedMatMul written back to [B, S, H, D].
void scores_softmax_context(GraphBuilder& b, int64_t axis, bool second_use) {
  ir::Value* q = b.input("q", {2, 11, 3, 8}, 1, -1, 1);
  ir::Value* k = b.input("k", {2, 11, 3, 8}, 2, -1, 1);
  ir::Value* v = b.input("v", {2, 11, 3, 8}, 3, -1, 1);
  ir::Value* mask = b.input("mask", {2, 1, 1, 11}, 4, -3, 0);
  ir::Value* s = fused_matmul(b, {q, k, mask}, MatMulLayout{{0, 2, 1, 3}, {0, 2, 3, 1}, {}, 0.35f})->outputs[0];
  ir::Node* sm = b.node("Softmax", {s});
  attr_int(sm, "axis", axis);
  if (second_use) b.output(sm->outputs[0]);
  b.output(fused_matmul(b, {sm->outputs[0], v}, MatMulLayout{{}, {0, 2, 1, 3}, {0, 2, 1, 3}, 1})->outputs[0]);
}

TEST(FuseAttention, ScoresSoftmaxContextBecomeOneNode) {
  PassCheck c([](GraphBuilder& b) { scores_softmax_context(b, -1, false); });
  ASSERT_TRUE(c.apply(fuse_attention));
  EXPECT_EQ(c.ops(), (Ops{"kiln.Attention"}));
  const ir::Node& a = *c.after->g->nodes[0];
  auto l = AttentionLayout::from_node(a);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->perm_q, (std::vector<int64_t>{0, 2, 1, 3}));
  EXPECT_EQ(l->perm_k, (std::vector<int64_t>{0, 2, 3, 1}));
  EXPECT_EQ(l->perm_v, (std::vector<int64_t>{0, 2, 1, 3}));
  EXPECT_EQ(l->perm_y, (std::vector<int64_t>{0, 2, 1, 3}));
  EXPECT_FLOAT_EQ(l->alpha, 0.35f);
  EXPECT_EQ(a.inputs.size(), 4u);
  EXPECT_EQ(c.output_names(), c.original_outputs);
  EXPECT_TRUE(c.numeric());
}

TEST(FuseAttention, OtherAxisOrSecondUseStays) {
  PassCheck axis([](GraphBuilder& b) { scores_softmax_context(b, 2, false); });
  ASSERT_TRUE(axis.apply(fuse_attention));
  EXPECT_FALSE(axis.changed);
  PassCheck used([](GraphBuilder& b) { scores_softmax_context(b, 3, true); });
  ASSERT_TRUE(used.apply(fuse_attention));
  EXPECT_FALSE(used.changed);
  PassCheck act([](GraphBuilder& b) {
    ir::Value* s = b.op("MatMul", {b.input("q", {4, 5}), b.input("k", {5, 6}, 2)});
    ir::Value* p = b.op("Softmax", {s});
    ir::Node* ctx = fused_matmul(b, {p, b.input("v", {6, 3}, 3)}, MatMulLayout{});
    ctx->attrs["activation"].kind = ir::Attribute::Kind::kString;
    ctx->attrs["activation"].s = "Relu";
    b.output(ctx->outputs[0]);
  });
  ASSERT_TRUE(act.apply(fuse_attention));
  EXPECT_FALSE(act.changed);  // a plain MatMul for the scores and an activation on the context
}

// PyTorch's multi-head attention export (linear Q/K/V, view + permute per head, K transposed,
// / sqrt(d), + mask, softmax, x V, permute back, view) through the whole pipeline on the CPU
// backend, against the unoptimized graph on the reference backend.
void torch_attention(GraphBuilder& b) {
  const int64_t s = 9, h = 3, d = 8, hid = h * d;
  ir::Value* x = b.input("x", {1, s, hid}, 1, -1, 1);
  ir::Value* mask = b.input("mask", {1, 1, 1, s}, 2, -10000, 0);
  auto head_view = [&](int seed, std::vector<int64_t> perm) {
    ir::Value* y = b.op("MatMul", {x, b.constant(random_tensor({hid, hid}, seed, DType::kFloat32, -0.3f, 0.3f))});
    y = b.op("Add", {y, b.constant(random_tensor({hid}, seed + 1))});
    y = b.op("Reshape", {y, b.ints({1, s, h, d})});
    ir::Node* t = b.node("Transpose", {y});
    attr_ints(t, "perm", {0, 2, 1, 3});
    if (perm.empty()) return t->outputs[0];
    ir::Node* t2 = b.node("Transpose", {t->outputs[0]});
    attr_ints(t2, "perm", perm);
    return t2->outputs[0];
  };
  ir::Value* q = head_view(10, {});
  ir::Value* k = head_view(20, {0, 1, 3, 2});
  ir::Value* v = head_view(30, {});
  ir::Value* sc = b.op("Div", {b.op("MatMul", {q, k}), b.scalar(std::sqrt(static_cast<float>(d)))});
  ir::Node* sm = b.node("Softmax", {b.op("Add", {sc, mask})});
  attr_int(sm, "axis", -1);
  ir::Value* ctx = b.op("MatMul", {sm->outputs[0], v});
  ir::Node* t = b.node("Transpose", {ctx});
  attr_ints(t, "perm", {0, 2, 1, 3});
  b.output(b.op("Reshape", {t->outputs[0], b.ints({1, s, hid})}));
}

Expected<std::vector<Value>> run_attention(Backend backend, bool optimize, Ops* ops) {
  GraphBuilder b(17);
  torch_attention(b);
  KILN_TRY(b.g->finalize());
  SessionOptions o;
  o.backend = backend;
  o.optimize = optimize;
  o.threads = 2;
  KILN_ASSIGN_OR_RETURN(auto session, Session::create(b.model, o));
  for (const auto& n : b.g->nodes) ops->push_back((n->domain.empty() ? "" : n->domain + ".") + n->op_type);
  return session->run(b.feeds);
}

TEST(FuseAttention, TorchExportThroughThePipeline) {
  Ops ref_ops, cpu_ops;
  auto ref = run_attention(Backend::kReference, false, &ref_ops);
  auto cpu = run_attention(Backend::kCpu, true, &cpu_ops);
  ASSERT_TRUE(ref) << ref.status().message();
  ASSERT_TRUE(cpu) << cpu.status().message();
  std::sort(cpu_ops.begin(), cpu_ops.end());
  EXPECT_EQ(cpu_ops, (Ops{"Reshape", "Reshape", "Reshape", "Reshape", "kiln.Attention", "kiln.FusedMatMul",
                          "kiln.FusedMatMul", "kiln.FusedMatMul"}));
  const Tensor& r = (*ref)[0].tensor();
  const Tensor& c = (*cpu)[0].tensor();
  ASSERT_EQ(r.shape(), c.shape());
  for (int64_t i = 0; i < r.numel(); ++i) EXPECT_NEAR(c.as_double(i), r.as_double(i), 1e-5 + 1e-4 * std::fabs(r.as_double(i))) << i;
}

}  // namespace
}  // namespace kiln
