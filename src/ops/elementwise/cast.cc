// Cast (dtype from the `to` attribute) and CastLike (dtype of input 1). Small constant inputs are
// folded so that shape computations stay static.
#include <cmath>
#include <string_view>
#include <utility>

#include "ops/elementwise/elementwise_ops.h"

namespace kiln {

namespace {

constexpr int64_t kMaxFoldElements = 64;

Status cast_type(InferContext& ctx, DType to) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (input) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.kind == ir::TypeInfo::Kind::kSequence || x.kind == ir::TypeInfo::Kind::kOptional) {
    return ctx.error("input must be a tensor, got {}", x.str());
  }
  ctx.set_output(0, x.dims ? ir::TypeInfo::tensor(to, *x.dims) : ir::TypeInfo::tensor_unknown_shape(to));
  const Tensor* c = ctx.input_constant(0);
  if (c && c->valid() && c->numel() <= kMaxFoldElements && to != DType::kUndefined) {
    ctx.set_output_constant(0, cast_op_value(*c, to));
  }
  return Status::ok();
}

}  // namespace

Tensor cast_op_value(const Tensor& x, DType to) {
  if (to != DType::kBFloat16 || x.dtype() == DType::kBFloat16) return cast_tensor(x, to);
  const Tensor f = x.dtype() == DType::kFloat32 ? x : cast_tensor(x, DType::kFloat32);
  Tensor out(DType::kBFloat16, x.shape());
  const float* src = f.data<float>();
  bfloat16* dst = out.data<bfloat16>();
  for (int64_t i = 0; i < out.numel(); ++i) {
    const uint32_t bits = float_bits(src[i]);
    dst[i].bits = static_cast<uint16_t>(std::isnan(src[i]) ? (bits >> 16) | 0x40u : bits >> 16);  // quiet NaN
  }
  return out;
}

Expected<DType> cast_target(const ir::Node& node) {
  const ir::Attribute* to = node.attr("to");
  if (!to) return invalid_model("{}: attribute 'to' is required", node.label());
  if (to->kind == ir::Attribute::Kind::kString) {
    static constexpr std::pair<std::string_view, DType> kNames[] = {
        {"FLOAT", DType::kFloat32}, {"UINT8", DType::kUInt8},     {"INT8", DType::kInt8},
        {"UINT16", DType::kUInt16}, {"INT16", DType::kInt16},     {"INT32", DType::kInt32},
        {"INT64", DType::kInt64},   {"STRING", DType::kString},   {"BOOL", DType::kBool},
        {"FLOAT16", DType::kFloat16}, {"DOUBLE", DType::kFloat64}, {"UINT32", DType::kUInt32},
        {"UINT64", DType::kUInt64}, {"BFLOAT16", DType::kBFloat16},
    };
    for (const auto& [name, type] : kNames) {
      if (to->s == name) return type;
    }
    return unsupported("{}: attribute 'to' is \"{}\", which is not a data type Kiln supports", node.label(), to->s);
  }
  if (to->kind != ir::Attribute::Kind::kInt) return invalid_model("{}: attribute 'to' must be an int", node.label());
  if (to->i > INT32_MAX || to->i < 0 || !dtype_is_valid(static_cast<int32_t>(to->i))) {
    return unsupported("{}: attribute 'to' is {}, which is not a data type Kiln supports", node.label(), to->i);
  }
  return static_cast<DType>(to->i);
}

Status infer_cast(InferContext& ctx) {
  KILN_ASSIGN_OR_RETURN(DType to, cast_target(ctx.node()));
  return cast_type(ctx, to);
}

Status infer_cast_like(InferContext& ctx) {
  if (ctx.num_inputs() < 2 || !ctx.has_input(1)) return ctx.error("input 1 (target_type) is required");
  return cast_type(ctx, ctx.input_type(1).elem);
}

}  // namespace kiln
