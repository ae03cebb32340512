// kiln.FusedConv / FusedMatMul / Gelu / Silu, composed from the plain reference kernels so the
// oracle for a fused node is the unfused computation itself.
#include <cmath>

#include "backends/reference/backend.h"
#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/kiln/forward_context.h"
#include "backends/reference/kiln/kiln_kernels.h"
#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/kiln/activation.h"
#include "ops/kiln/kiln_ops.h"
#include "ops/kiln/matmul_layout.h"

namespace kiln::reference {

namespace {

Tensor permute(const Tensor& x, std::vector<int64_t> perm) {
  ir::Node node;
  node.op_type = "Transpose";
  node.opset = 13;
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(perm);
  node.attrs["perm"] = a;
  ForwardContext fwd(node, {Value(x)});
  Status st = transpose(fwd);
  return st.is_ok() ? fwd.output(0) : Tensor();
}

// y = a + b (numpy broadcast) through the reference Add kernel.
Expected<Tensor> add(const ir::Node& like, const Tensor& a, const Tensor& b) {
  ir::Node node;
  node.op_type = "Add";
  node.opset = 14;
  node.name = like.name;
  ForwardContext fwd(node, {Value(a), Value(b)});
  KILN_TRY(add_op(fwd));
  return fwd.output(0);
}

Status apply_activation(KernelContext& ctx, const Activation& act, const Tensor& y) {
  Tensor& out = ctx.allocate_output(0, y.dtype(), y.shape());
  Status st = Status::ok();
  KILN_DISPATCH_FLOAT(y.dtype(), T, {
    const T* src = y.data<T>();
    T* dst = out.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) dst[i] = static_cast<T>(act.apply(static_cast<double>(src[i])));
  });
  return st;
}

void set_channels_last(ir::Node& n) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = 1;
  n.attrs["channels_last"] = a;
}

}  // namespace

Tensor permute_to_channels_last(const Tensor& x) {
  return permute(x, to_channels_last_perm(static_cast<size_t>(x.rank())));
}

Tensor permute_to_channels_first(const Tensor& x) {
  return permute(x, to_channels_first_perm(static_cast<size_t>(x.rank())));
}

Status fused_conv(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Activation act, Activation::from_node(ctx.node()));
  const bool channels_last = ctx.node().attr_int("channels_last", 0) != 0;
  Tensor x = ctx.input(0);
  if (channels_last) {
    if (x.rank() < 3) return ctx.error("channels-last input X must have rank >= 3, got {}", x.describe());
    x = permute_to_channels_first(x);
  }
  std::vector<Value> conv_inputs = {Value(x), ctx.input_value(1)};
  if (ctx.has_input(2)) conv_inputs.push_back(ctx.input_value(2));
  ForwardContext fwd(ctx.node(), std::move(conv_inputs));
  KILN_TRY(conv(fwd));
  Tensor y = fwd.output(0);
  if (channels_last) y = permute_to_channels_last(y);
  if (ctx.has_input(3)) {
    if (ctx.input(3).shape() != y.shape()) {
      return ctx.error("sum input Z {} must have the output's shape {}", ctx.input(3).describe(), y.describe());
    }
    KILN_ASSIGN_OR_RETURN(y, add(ctx.node(), y, ctx.input(3)));
  }
  return apply_activation(ctx, act, y);
}

Status fused_matmul(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Activation act, Activation::from_node(ctx.node()));
  auto layout = MatMulLayout::from_node(ctx.node());
  if (!layout) return ctx.error("{}", layout.status().message());
  std::vector<Value> operands = {ctx.input_value(0), ctx.input_value(1)};
  const std::vector<int64_t>* perms[] = {&layout->perm_a, &layout->perm_b};
  const char* names[] = {"perm_a", "perm_b"};
  for (size_t i = 0; i < 2; ++i) {
    if (perms[i]->empty()) continue;
    const Tensor& t = ctx.input(i);
    KILN_TRY(MatMulLayout::check_perm(*perms[i], static_cast<size_t>(t.rank()), names[i]).with_context(ctx.node().name));
    operands[i] = Value(permute(t, *perms[i]));
  }
  ForwardContext fwd(ctx.node(), std::move(operands));
  KILN_TRY(matmul(fwd));
  Tensor y = fwd.output(0);
  if (layout->alpha != 1.f) {
    KILN_DISPATCH_FLOAT(y.dtype(), T, {
      T* p = y.data<T>();
      for (int64_t i = 0; i < y.numel(); ++i) p[i] = static_cast<T>(p[i] * layout->alpha);
    });
  }
  if (ctx.has_input(2)) {
    KILN_ASSIGN_OR_RETURN(y, add(ctx.node(), y, ctx.input(2)));
  }
  if (layout->perm_y.empty()) return apply_activation(ctx, act, y);
  KILN_TRY(MatMulLayout::check_perm(layout->perm_y, static_cast<size_t>(y.rank()), "perm_y").with_context(ctx.node().name));
  ForwardContext out(ctx.node(), {Value(y)});
  KILN_TRY(apply_activation(out, act, y));
  ctx.set_output(0, Value(permute(out.output(0), layout->perm_y)));
  return Status::ok();
}

// kiln.Attention as its parts: the scores FusedMatMul, Softmax over the last axis, the context
// FusedMatMul, each through its reference kernel.
Status attention(KernelContext& ctx) {
  auto layout = AttentionLayout::from_node(ctx.node());
  if (!layout) return ctx.error("{}", layout.status().message());
  ir::Node scores_node;
  scores_node.op_type = "FusedMatMul";
  scores_node.domain = "kiln";
  scores_node.name = ctx.node().name;
  layout->scores().write_to(scores_node);
  std::vector<Value> scores_in = {ctx.input_value(0), ctx.input_value(1)};
  if (ctx.has_input(3)) scores_in.push_back(ctx.input_value(3));
  ForwardContext scores(scores_node, std::move(scores_in));
  KILN_TRY(fused_matmul(scores));

  ir::Node softmax_node;
  softmax_node.op_type = "Softmax";
  softmax_node.opset = 13;
  softmax_node.name = ctx.node().name;
  ForwardContext probs(softmax_node, {Value(scores.output(0))});
  KILN_TRY(softmax(probs));

  ir::Node context_node = scores_node;
  context_node.attrs.clear();
  layout->context().write_to(context_node);
  ForwardContext context(context_node, {Value(probs.output(0)), ctx.input_value(2)});
  KILN_TRY(fused_matmul(context));
  ctx.set_output(0, Value(context.output(0)));
  return Status::ok();
}

// kiln.PointwiseDepthwise as its one to three channels-last FusedConvs: the expand when Wp is
// given (pw_ activation, no other attributes), the depthwise one (the node's attributes less the pw_ and pj_ ones), and
// with Wq the project (pj_ activation, Z).
Status pointwise_depthwise(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Activation pw_act, Activation::from_node(ctx.node(), "pw_"));
  ir::Node expand;
  expand.op_type = "FusedConv";
  expand.domain = "kiln";
  expand.opset = 1;
  expand.name = ctx.node().name;
  set_channels_last(expand);
  pw_act.write_to(expand);
  Value t_value = ctx.input_value(0);  // without Wp / Bp the depthwise reads X
  if (ctx.has_input(1)) {
    ForwardContext t(expand, {ctx.input_value(0), ctx.input_value(1), ctx.input_value(2)});
    KILN_TRY(fused_conv(t));
    t_value = Value(t.output(0));
  }

  ir::Node depthwise = expand;
  depthwise.attrs = ctx.node().attrs;
  for (const char* key : {"pw_activation", "pw_activation_params", "pw_activation_affine"}) depthwise.attrs.erase(key);
  set_channels_last(depthwise);
  for (const char* key : {"pj_activation", "pj_activation_params", "pj_activation_affine"}) depthwise.attrs.erase(key);
  ForwardContext y(depthwise, {std::move(t_value), ctx.input_value(3), ctx.input_value(4)});
  KILN_TRY(fused_conv(y));
  if (!ctx.has_input(5)) {
    ctx.set_output(0, Value(y.output(0)));
    return Status::ok();
  }
  // The project: a 1x1 FusedConv with the pj_ activation and Z.
  KILN_ASSIGN_OR_RETURN(Activation pj_act, Activation::from_node(ctx.node(), "pj_"));
  ir::Node project = expand;
  project.attrs.clear();
  set_channels_last(project);
  pj_act.write_to(project);
  std::vector<Value> inputs = {Value(y.output(0)), ctx.input_value(5), ctx.input_value(6)};
  if (ctx.has_input(7)) inputs.push_back(ctx.input_value(7));
  ForwardContext out(project, std::move(inputs));
  KILN_TRY(fused_conv(out));
  ctx.set_output(0, Value(out.output(0)));
  return Status::ok();
}

Status gelu(KernelContext& ctx) {
  Activation act;
  act.kind = ctx.node().attr_string("approximate", "none") == "tanh" ? ActKind::kGeluTanh : ActKind::kGelu;
  return apply_activation(ctx, act, ctx.input(0));
}

Status channels_last_op(KernelContext& ctx) {
  std::string_view base = channels_last_base_op(ctx.node().op_type);
  KernelFn fn = base.empty() ? nullptr : find_kernel("", base);
  if (!fn) return ctx.error("no reference kernel for the wrapped ONNX op '{}'", base);
  if (!ctx.has_input(0) || ctx.input(0).rank() < 3) {
    return ctx.error("channels-last input 0 must be a tensor of rank >= 3");
  }
  std::vector<Value> inputs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    inputs.push_back(i == 0 ? Value(permute_to_channels_first(ctx.input(0))) : ctx.input_value(i));
  }
  ForwardContext fwd(ctx.node(), std::move(inputs), ctx.num_outputs());
  KILN_TRY(fn(fwd));
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    if (!ctx.wants_output(i)) continue;
    Value v = fwd.outputs()[i];
    if (i == 0 && v.is_tensor()) v = Value(permute_to_channels_last(v.tensor()));
    ctx.set_output(i, std::move(v));
  }
  return Status::ok();
}

Status silu(KernelContext& ctx) {
  Activation act;
  act.kind = ActKind::kSilu;
  return apply_activation(ctx, act, ctx.input(0));
}

}  // namespace kiln::reference
