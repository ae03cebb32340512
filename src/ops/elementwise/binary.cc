// Broadcasting elementwise ops with two or more inputs (arithmetic, comparison, logic,
// variadic Max/Min/Mean/Sum, Where, PRelu).
#include <string>

#include "ops/elementwise/elementwise_ops.h"

namespace kiln {

namespace {

// Numpy broadcast of the shapes of inputs [first, last]; nullopt when some rank is unknown.
Expected<std::optional<std::vector<ir::Dim>>> broadcast_inputs(const InferContext& ctx, size_t first,
                                                               size_t last) {
  std::optional<std::vector<ir::Dim>> dims = std::vector<ir::Dim>{};
  for (size_t i = first; i <= last && i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) return ctx.error("input {} is required", i);
    const ir::TypeInfo& t = ctx.input_type(i);
    if (t.kind == ir::TypeInfo::Kind::kSequence || t.kind == ir::TypeInfo::Kind::kOptional) {
      return ctx.error("input {} must be a tensor, got {}", i, t.str());
    }
    if (!t.dims) {
      dims.reset();
      continue;
    }
    if (!dims) continue;
    auto merged = broadcast_dims(*dims, *t.dims);
    if (!merged) return ctx.error("inputs cannot be broadcast: {}", merged.status().message());
    dims = std::move(*merged);
  }
  return dims;
}

// The common dtype of inputs [first, last] (kUndefined when none is known); error on a mismatch.
Expected<DType> common_dtype(const InferContext& ctx, size_t first, size_t last) {
  DType elem = DType::kUndefined;
  size_t from = first;
  for (size_t i = first; i <= last && i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    DType t = ctx.input_type(i).elem;
    if (t == DType::kUndefined) continue;
    if (elem == DType::kUndefined) {
      elem = t;
      from = i;
    } else if (t != elem) {
      return ctx.error("input {} is {} but input {} is {}; they must have the same type", from,
                       dtype_name(elem), i, dtype_name(t));
    }
  }
  return elem;
}

ir::TypeInfo tensor_type(DType elem, const std::optional<std::vector<ir::Dim>>& dims) {
  return dims ? ir::TypeInfo::tensor(elem, *dims) : ir::TypeInfo::tensor_unknown_shape(elem);
}

Status require_inputs(const InferContext& ctx, size_t n) {
  if (ctx.num_inputs() < n) return ctx.error("needs {} inputs, has {}", n, ctx.num_inputs());
  return Status::ok();
}

// Broadcast of A (input 0) and B (input 1), honoring the legacy axis attribute of opset < 7.
Expected<std::optional<std::vector<ir::Dim>>> broadcast_binary(const InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 2));
  if (ctx.opset() < 7 && ctx.has_input(0) && ctx.has_input(1)) {
    const ir::TypeInfo& a = ctx.input_type(0);
    const ir::TypeInfo& b = ctx.input_type(1);
    if (a.dims && b.dims) {
      KILN_ASSIGN_OR_RETURN(size_t pad, legacy_broadcast_padding(ctx.node(), a.rank(), b.rank()));
      if (pad > 0) {
        std::vector<ir::Dim> b_dims = *b.dims;
        b_dims.resize(b_dims.size() + pad, ir::Dim(1));
        auto merged = broadcast_dims(*a.dims, b_dims);
        if (!merged) return ctx.error("inputs cannot be broadcast: {}", merged.status().message());
        return std::optional<std::vector<ir::Dim>>(std::move(*merged));
      }
    }
  }
  return broadcast_inputs(ctx, 0, 1);
}

// Broadcast of inputs 0 and 1 that must share a dtype; the output is `out` (or that dtype).
Status infer_two_same(InferContext& ctx, DType out) {
  KILN_ASSIGN_OR_RETURN(auto dims, broadcast_binary(ctx));
  KILN_ASSIGN_OR_RETURN(DType elem, common_dtype(ctx, 0, 1));
  ctx.set_output(0, tensor_type(out == DType::kUndefined ? elem : out, dims));
  return Status::ok();
}

}  // namespace

Expected<size_t> legacy_broadcast_padding(const ir::Node& node, int64_t rank_a, int64_t rank_b) {
  if (node.opset >= 7 || node.attr_int("broadcast", 0) == 0 || !node.has_attr("axis")) return size_t{0};
  int64_t axis = node.attr_int("axis", 0);
  if (axis < 0) axis += rank_a;
  if (axis < 0 || axis + rank_b > rank_a) {
    return invalid_model("{}: axis {} does not fit B of rank {} into A of rank {}", node.label(),
                         node.attr_int("axis", 0), rank_b, rank_a);
  }
  return static_cast<size_t>(rank_a - axis - rank_b);
}

Status infer_arith(InferContext& ctx) { return infer_two_same(ctx, DType::kUndefined); }

Status infer_compare(InferContext& ctx) { return infer_two_same(ctx, DType::kBool); }

Status infer_logical(InferContext& ctx) {
  KILN_TRY(infer_two_same(ctx, DType::kBool));
  for (size_t i = 0; i < 2; ++i) {
    DType t = ctx.input_type(i).elem;
    if (t != DType::kUndefined && t != DType::kBool) {
      return ctx.error("input {} must be bool, got {}", i, dtype_name(t));
    }
  }
  return Status::ok();
}

// Base and exponent may have different types (opset 12+); the result has the base's type.
Status infer_pow(InferContext& ctx) {
  KILN_ASSIGN_OR_RETURN(auto dims, broadcast_binary(ctx));
  ctx.set_output(0, tensor_type(ctx.input_type(0).elem, dims));
  return Status::ok();
}

Status infer_variadic(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 1));
  KILN_ASSIGN_OR_RETURN(auto dims, broadcast_inputs(ctx, 0, ctx.num_inputs() - 1));
  KILN_ASSIGN_OR_RETURN(DType elem, common_dtype(ctx, 0, ctx.num_inputs() - 1));
  ctx.set_output(0, tensor_type(elem, dims));
  return Status::ok();
}

Status infer_where(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 3));
  KILN_ASSIGN_OR_RETURN(auto dims, broadcast_inputs(ctx, 0, 2));
  DType cond = ctx.input_type(0).elem;
  if (cond != DType::kUndefined && cond != DType::kBool) {
    return ctx.error("condition must be bool, got {}", dtype_name(cond));
  }
  KILN_ASSIGN_OR_RETURN(DType elem, common_dtype(ctx, 1, 2));
  ctx.set_output(0, tensor_type(elem, dims));
  return Status::ok();
}

// Slope broadcasts to X (unidirectionally), so the output is X's shape. Before opset 7 a 1-D slope
// of X's channel count applies along axis 1 (per channel), not along the last axis.
Status infer_prelu(InferContext& ctx) {
  KILN_TRY(require_inputs(ctx, 2));
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs X and slope are required");
  KILN_ASSIGN_OR_RETURN(DType elem, common_dtype(ctx, 0, 1));
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& slope = ctx.input_type(1);
  std::optional<std::vector<ir::Dim>> dims;
  if (x.dims && slope.dims) {
    std::vector<ir::Dim> s = *slope.dims;
    if (ctx.opset() < 7 && s.size() == 1 && x.dims->size() > 2 && s[0].known() && s[0].value != 1 &&
        (*x.dims)[1] == s[0]) {
      s.resize(x.dims->size() - 1, ir::Dim(1));
    }
    auto merged = broadcast_dims(*x.dims, s);
    if (!merged) return ctx.error("slope {} does not broadcast to X {}", slope.str(), x.str());
    dims = std::move(*merged);
  }
  if (dims && x.dims) {
    bool ok = dims->size() == x.dims->size();
    for (size_t d = 0; ok && d < dims->size(); ++d) {
      const ir::Dim& a = (*dims)[d];
      const ir::Dim& b = (*x.dims)[d];
      ok = !(a.known() && b.known()) || a.value == b.value;
    }
    if (!ok) {
      return ctx.error("slope {} does not broadcast to X {}", ctx.input_type(1).str(), x.str());
    }
  }
  ctx.set_output(0, x.dims ? ir::TypeInfo::tensor(elem, *x.dims) : tensor_type(elem, dims));
  return Status::ok();
}

}  // namespace kiln
