// Shape inference of the kiln-domain ops; FusedConv and FusedMatMul reuse Conv's and MatMul's.
#include "ops/infer_util.h"
#include "ops/kiln/activation.h"
#include "ops/kiln/kiln_ops.h"
#include "ops/kiln/matmul_layout.h"
#include "ops/nn/nn_ops.h"

namespace kiln {

namespace {

Status check_activation(const InferContext& ctx) {
  auto act = Activation::from_node(ctx.node());
  return act ? Status::ok() : act.status();
}

// Output 0 of `infer` run on the given input types (constants are not needed by Conv/MatMul).
Expected<ir::TypeInfo> infer_with(const InferContext& ctx, InferFn infer, std::vector<const ir::TypeInfo*> types) {
  std::vector<const Tensor*> consts(types.size(), nullptr);
  for (size_t i = 0; i < types.size(); ++i) consts[i] = ctx.input_constant(i);
  InferContext inner(ctx.node(), std::move(types), std::move(consts));
  KILN_TRY(infer(inner));
  return inner.outputs().at(0);
}

// `t` seen through a perm attribute (kiln.FusedMatMul / kiln.Attention): its dims permuted.
Status view_through(const InferContext& ctx, ir::TypeInfo& t, const std::vector<int64_t>& perm, const char* attr) {
  if (perm.empty()) return Status::ok();
  if (!t.dims) return ctx.error("{} needs the rank of its tensor", attr);
  if (Status s = MatMulLayout::check_perm(perm, t.dims->size(), attr); !s.is_ok()) return ctx.error("{}", s.message());
  t.dims = permute_dims(*t.dims, perm);
  return Status::ok();
}

}  // namespace

Status infer_fused_conv(InferContext& ctx) {
  KILN_TRY(check_activation(ctx));
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs X and W are required");
  const bool channels_last = ctx.node().attr_int("channels_last", 0) != 0;
  ir::TypeInfo x = ctx.input_type(0);
  if (channels_last && x.dims) x.dims = to_channels_first(*x.dims);
  std::vector<const ir::TypeInfo*> types = {&x, &ctx.input_type(1)};
  if (ctx.has_input(2)) types.push_back(&ctx.input_type(2));
  KILN_ASSIGN_OR_RETURN(ir::TypeInfo y, infer_with(ctx, infer_conv, types));
  if (channels_last && y.dims) y.dims = to_channels_last(*y.dims);
  if (ctx.has_input(3) && ctx.input_type(3).dims && y.dims) {
    const auto& z = *ctx.input_type(3).dims;
    bool same = z.size() == y.dims->size();
    for (size_t i = 0; same && i < z.size(); ++i) {
      same = !z[i].known() || !(*y.dims)[i].known() || z[i].value == (*y.dims)[i].value;
    }
    if (!same) return ctx.error("sum input Z {} must have the output's shape {}", ctx.input_type(3).str(), y.str());
  }
  ctx.set_output(0, y);
  return Status::ok();
}

// The expand convolution (1x1, stride 1, no pads: a node without attributes) then the depthwise
// one (the node's own attributes), each checked by Conv's inference on channels-first types.
Status infer_pointwise_depthwise(InferContext& ctx) {
  KILN_TRY(check_activation(ctx));
  if (auto pw = Activation::from_node(ctx.node(), "pw_"); !pw) return pw.status();
  for (size_t i : {0, 3, 4}) {
    if (!ctx.has_input(i)) return ctx.error("inputs X, Wd and Bd are required (input {} is missing)", i);
  }
  const bool has_expand = ctx.has_input(1) || ctx.has_input(2);
  if (has_expand && (!ctx.has_input(1) || !ctx.has_input(2))) return ctx.error("the expand needs both Wp (input 1) and Bp (input 2)");
  ir::TypeInfo x = ctx.input_type(0);
  if (x.dims) {
    if (x.dims->size() != 4) return ctx.error("X must be [N, H, W, K] (channels-last), got {}", x.str());
    x.dims = to_channels_first(*x.dims);
  }
  ir::Node expand;
  expand.op_type = "Conv";
  expand.opset = ctx.node().opset;
  expand.name = ctx.node().name;
  expand.outputs = ctx.node().outputs;  // sizes the inner context's outputs; nothing is written to them
  ir::TypeInfo t = x;  // without an expand the depthwise reads X
  if (has_expand) {
    std::vector<const ir::TypeInfo*> pw_types = {&x, &ctx.input_type(1), &ctx.input_type(2)};
    std::vector<const Tensor*> pw_consts = {nullptr, ctx.input_constant(1), ctx.input_constant(2)};
    InferContext pw_ctx(expand, std::move(pw_types), std::move(pw_consts));
    KILN_TRY(infer_conv(pw_ctx));
    t = pw_ctx.outputs().at(0);
    const ir::TypeInfo& wp = ctx.input_type(1);
    if (wp.dims && (wp.dims->size() != 4 || !(*wp.dims)[2].known() || (*wp.dims)[2].value != 1 ||
                    !(*wp.dims)[3].known() || (*wp.dims)[3].value != 1)) {
      return ctx.error("Wp must be a 1x1 kernel [C, K, 1, 1], got {}", wp.str());
    }
  }
  InferContext dw_ctx(ctx.node(), {&t, &ctx.input_type(3), &ctx.input_type(4)},
                      {nullptr, ctx.input_constant(3), ctx.input_constant(4)});
  KILN_TRY(infer_conv(dw_ctx));
  ir::TypeInfo y = dw_ctx.outputs().at(0);
  if (ctx.has_input(5) || ctx.has_input(6) || ctx.has_input(7)) {
    if (!ctx.has_input(5) || !ctx.has_input(6)) return ctx.error("the project needs both Wq (input 5) and Bq (input 6)");
    if (auto pj = Activation::from_node(ctx.node(), "pj_"); !pj) return pj.status();
    const ir::TypeInfo& wq = ctx.input_type(5);
    if (wq.dims && (wq.dims->size() != 4 || !(*wq.dims)[2].known() || (*wq.dims)[2].value != 1 ||
                    !(*wq.dims)[3].known() || (*wq.dims)[3].value != 1)) {
      return ctx.error("Wq must be a 1x1 kernel [M, C, 1, 1], got {}", wq.str());
    }
    InferContext pj_ctx(expand, {&y, &wq, &ctx.input_type(6)}, {nullptr, ctx.input_constant(5), ctx.input_constant(6)});
    KILN_TRY(infer_conv(pj_ctx));
    y = pj_ctx.outputs().at(0);
  }
  if (y.dims) y.dims = to_channels_last(*y.dims);
  if (ctx.has_input(7) && ctx.input_type(7).dims && y.dims) {
    const auto& z = *ctx.input_type(7).dims;
    bool same = z.size() == y.dims->size();
    for (size_t i = 0; same && i < z.size(); ++i) same = !z[i].known() || !(*y.dims)[i].known() || z[i].value == (*y.dims)[i].value;
    if (!same) return ctx.error("sum input Z {} must have the output's shape {}", ctx.input_type(7).str(), y.str());
  }
  ctx.set_output(0, y);
  return Status::ok();
}

Status infer_fused_matmul(InferContext& ctx) {
  KILN_TRY(check_activation(ctx));
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs A and B are required");
  auto layout = MatMulLayout::from_node(ctx.node());
  if (!layout) return ctx.error("{}", layout.status().message());
  // The logical operands: the stored inputs seen through perm_a / perm_b.
  ir::TypeInfo a = ctx.input_type(0), b = ctx.input_type(1);
  KILN_TRY(view_through(ctx, a, layout->perm_a, "perm_a"));
  KILN_TRY(view_through(ctx, b, layout->perm_b, "perm_b"));
  KILN_ASSIGN_OR_RETURN(ir::TypeInfo y, infer_with(ctx, infer_matmul, {&a, &b}));
  if (ctx.has_input(2) && ctx.input_type(2).dims && y.dims) {
    auto bd = broadcast_dims(*y.dims, *ctx.input_type(2).dims);
    if (!bd) return ctx.error("bias {} does not broadcast to the product {}", ctx.input_type(2).str(), y.str());
    if (bd->size() != y.dims->size()) return ctx.error("bias {} has a higher rank than the product {}", ctx.input_type(2).str(), y.str());
  }
  KILN_TRY(view_through(ctx, y, layout->perm_y, "perm_y"));
  ctx.set_output(0, y);
  return Status::ok();
}

Status infer_attention(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2)) return ctx.error("inputs Q, K and V are required");
  auto layout = AttentionLayout::from_node(ctx.node());
  if (!layout) return ctx.error("{}", layout.status().message());
  ir::TypeInfo q = ctx.input_type(0), k = ctx.input_type(1), v = ctx.input_type(2);
  KILN_TRY(view_through(ctx, q, layout->perm_q, "perm_q"));
  KILN_TRY(view_through(ctx, k, layout->perm_k, "perm_k"));
  KILN_TRY(view_through(ctx, v, layout->perm_v, "perm_v"));
  KILN_ASSIGN_OR_RETURN(ir::TypeInfo scores, infer_with(ctx, infer_matmul, {&q, &k}));
  if (ctx.has_input(3) && ctx.input_type(3).dims && scores.dims) {
    auto bd = broadcast_dims(*scores.dims, *ctx.input_type(3).dims);
    if (!bd || bd->size() != scores.dims->size()) {
      return ctx.error("mask {} does not broadcast to the scores {}", ctx.input_type(3).str(), scores.str());
    }
  }
  KILN_ASSIGN_OR_RETURN(ir::TypeInfo y, infer_with(ctx, infer_matmul, {&scores, &v}));
  KILN_TRY(view_through(ctx, y, layout->perm_y, "perm_y"));
  ctx.set_output(0, y);
  return Status::ok();
}

Status infer_kiln_unary(InferContext& ctx) {
  if (ctx.node().op_type == "Gelu") {
    std::string approx = ctx.node().attr_string("approximate", "none");
    if (approx != "none" && approx != "tanh") {
      return ctx.error("attribute approximate must be \"none\" or \"tanh\", got \"{}\"", approx);
    }
  }
  return infer_same_as_input(ctx);
}

}  // namespace kiln
