// kiln.FusedConv / FusedMatMul / Gelu / Silu, composed from the plain reference kernels so the
// oracle for a fused node is the unfused computation itself.
#include <cmath>

#include "backends/reference/backend.h"
#include "backends/reference/elementwise/elementwise_kernels.h"
#include "backends/reference/kiln/forward_context.h"
#include "backends/reference/kiln/kiln_kernels.h"
#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/kiln/activation.h"
#include "ops/kiln/kiln_ops.h"

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
  ForwardContext fwd(ctx.node(), {ctx.input_value(0), ctx.input_value(1)});
  KILN_TRY(matmul(fwd));
  Tensor y = fwd.output(0);
  if (ctx.has_input(2)) {
    KILN_ASSIGN_OR_RETURN(y, add(ctx.node(), y, ctx.input(2)));
  }
  return apply_activation(ctx, act, y);
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
