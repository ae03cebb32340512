// Inference for ops that compute or rewrite shapes: Reshape, Flatten, Squeeze, Unsqueeze, Expand,
// Shape, Size, ConstantOfShape, Range, EyeLike.
#include <algorithm>
#include <cstring>

#include "ops/tensor/infer_helpers.h"

namespace kiln {

using namespace tensor_infer;

namespace {

// Folds a reshaping op: the output holds the input's elements under a new shape.
void fold_reshaped(InferContext& ctx, const Shape& out) {
  if (const Tensor* c = ctx.input_constant(0); c && c->valid() && c->numel() == shape_numel(out)) {
    ctx.set_output_constant(0, c->reshaped(out));
  }
}

void set_dims_and_fold(InferContext& ctx, DType e, const std::vector<ir::Dim>& out) {
  ir::TypeInfo t = ir::TypeInfo::tensor(e, out);
  ctx.set_output(0, t);
  if (t.fully_known()) fold_reshaped(ctx, t.concrete());
}

// Squeeze/Unsqueeze axes: an attribute before opset 13, an optional input from 13 on.
// Returns nullopt when they are not known statically; an empty vector when absent.
std::optional<std::vector<int64_t>> squeeze_axes(const InferContext& ctx, bool* given) {
  if (ctx.opset() < 13) {
    *given = ctx.node().has_attr("axes");
    return ctx.node().attr_ints("axes");
  }
  *given = ctx.has_input(1);
  if (!*given) return std::vector<int64_t>{};
  auto axes = constant_ints(ctx, 1);
  if (axes && axes->empty()) *given = false;  // an empty axes input means "not given"
  return axes;
}

}  // namespace

Status infer_reshape(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  std::optional<std::vector<int64_t>> spec;
  if (ctx.opset() < 5) {
    spec = ctx.node().attr_ints("shape");
  } else {
    spec = constant_ints(ctx, 1);
  }
  const bool allowzero = ctx.opset() >= 14 && ctx.node().attr_int("allowzero", 0) != 0;
  if (!spec) {
    const auto* sd = dims(ctx, 1);
    if (sd && sd->size() == 1 && (*sd)[0].known()) {
      ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims((*sd)[0].value)));
    } else {
      set_unknown(ctx, 0, e);
    }
    return Status::ok();
  }
  if (auto in = shape(ctx, 0)) {
    auto out = reshape_output_shape(*in, *spec, allowzero);
    if (!out) return ctx.error("{}", out.status().message());
    ctx.set_output(0, ir::TypeInfo::tensor_of(e, *out));
    fold_reshaped(ctx, *out);
    return Status::ok();
  }
  // Partly known input (e.g. a symbolic batch): copied dims pass through, and the -1 is still
  // inferable when every input dim that is not copied through a 0 is known.
  const auto* d = dims(ctx, 0);
  std::vector<ir::Dim> out;
  std::vector<bool> copied(d ? d->size() : 0, false);
  int64_t infer_at = -1;
  int64_t spec_known = 1;
  for (size_t i = 0; i < spec->size(); ++i) {
    int64_t s = (*spec)[i];
    if (s == 0 && !allowzero) {
      out.push_back(d && i < d->size() ? (*d)[i] : ir::Dim());
      if (d && i < d->size()) copied[i] = true;
    } else if (s < 0) {
      out.emplace_back();
      infer_at = static_cast<int64_t>(i);
    } else {
      out.emplace_back(s);
      spec_known *= s;
    }
  }
  if (d && infer_at >= 0 && spec_known > 0) {
    int64_t rest = 1;
    bool known = true;
    for (size_t i = 0; i < d->size(); ++i) {
      if (copied[i]) continue;
      known = known && (*d)[i].known();
      if ((*d)[i].known()) rest *= (*d)[i].value;
    }
    if (known && rest % spec_known == 0) out[static_cast<size_t>(infer_at)] = ir::Dim(rest / spec_known);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  return Status::ok();
}

Status infer_flatten(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  if (!d) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(2)));
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  int64_t axis = ctx.node().attr_int("axis", 1);
  if (axis < -rank || axis > rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  auto product = [&](int64_t from, int64_t to) {
    int64_t p = 1;
    for (int64_t i = from; i < to; ++i) {
      if (!(*d)[static_cast<size_t>(i)].known()) return ir::Dim();
      p *= (*d)[static_cast<size_t>(i)].value;
    }
    return ir::Dim(p);
  };
  set_dims_and_fold(ctx, e, {product(0, axis), product(axis, rank)});
  return Status::ok();
}

Status infer_squeeze(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  bool given = false;
  auto axes = squeeze_axes(ctx, &given);
  if (!d || !axes) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  std::vector<bool> drop(d->size(), false);
  if (!given) {
    for (size_t i = 0; i < d->size(); ++i) {
      if (!(*d)[i].known()) {
        set_unknown(ctx, 0, e);
        return Status::ok();
      }
      drop[i] = (*d)[i].value == 1;
    }
  } else {
    auto norm = normalize_axes(*axes, rank);
    if (!norm) return ctx.error("{}", norm.status().message());
    for (int64_t a : *norm) {
      const ir::Dim& dim = (*d)[static_cast<size_t>(a)];
      if (dim.known() && dim.value != 1) return ctx.error("cannot squeeze axis {} of length {}", a, dim.value);
      drop[static_cast<size_t>(a)] = true;
    }
  }
  std::vector<ir::Dim> out;
  for (size_t i = 0; i < d->size(); ++i) {
    if (!drop[i]) out.push_back((*d)[i]);
  }
  set_dims_and_fold(ctx, e, out);
  return Status::ok();
}

Status infer_unsqueeze(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  bool given = false;
  auto axes = squeeze_axes(ctx, &given);
  if (!given) return ctx.error("axes are required");
  if (!d || !axes) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  const int64_t out_rank = static_cast<int64_t>(d->size() + axes->size());
  auto norm = normalize_axes(*axes, out_rank);
  if (!norm) return ctx.error("{}", norm.status().message());
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : *norm) inserted[static_cast<size_t>(a)] = true;
  std::vector<ir::Dim> out;
  size_t next = 0;
  for (int64_t i = 0; i < out_rank; ++i) {
    out.push_back(inserted[static_cast<size_t>(i)] ? ir::Dim(1) : (*d)[next++]);
  }
  set_dims_and_fold(ctx, e, out);
  return Status::ok();
}

Status infer_expand(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  auto spec = constant_ints(ctx, 1);
  if (!d) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  if (!spec) {
    const auto* sd = dims(ctx, 1);
    if (sd && sd->size() == 1 && (*sd)[0].known()) {
      ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(std::max<int64_t>((*sd)[0].value,
                                                                               static_cast<int64_t>(d->size())))));
    } else {
      set_unknown(ctx, 0, e);
    }
    return Status::ok();
  }
  std::vector<ir::Dim> target(spec->begin(), spec->end());
  auto out = broadcast_dims(*d, target);
  if (!out) return ctx.error("cannot expand to shape: {}", out.status().message());
  ctx.set_output(0, ir::TypeInfo::tensor(e, *out));
  return Status::ok();
}

Status infer_shape(InferContext& ctx) {
  const auto* d = dims(ctx, 0);
  if (!d) {
    ctx.set_output(0, ir::TypeInfo::tensor(DType::kInt64, unknown_dims(1)));
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  int64_t start = 0;
  int64_t end = rank;
  if (ctx.opset() >= 15) {
    start = ctx.node().attr_int("start", 0);
    end = ctx.node().attr_int("end", rank);
  }
  auto clampdim = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  start = clampdim(start);
  end = clampdim(end);
  const int64_t n = std::max<int64_t>(end - start, 0);
  ctx.set_output(0, ir::TypeInfo::tensor_of(DType::kInt64, {n}));
  std::vector<int64_t> values;
  for (int64_t i = start; i < start + n; ++i) {
    if (!(*d)[static_cast<size_t>(i)].known()) return Status::ok();
    values.push_back((*d)[static_cast<size_t>(i)].value);
  }
  ctx.set_output_constant(0, Tensor::from_vector<int64_t>(values, {n}));
  return Status::ok();
}

Status infer_size(InferContext& ctx) {
  ctx.set_output(0, ir::TypeInfo::tensor_of(DType::kInt64, {}));
  if (auto s = shape(ctx, 0)) ctx.set_output_constant(0, Tensor::scalar<int64_t>(shape_numel(*s)));
  return Status::ok();
}

Status infer_constant_of_shape(InferContext& ctx) {
  DType e = DType::kFloat32;
  const ir::Attribute* value = ctx.node().attr("value");
  if (value) {
    if (value->t.numel() != 1) return ctx.error("value must hold one element, has {}", value->t.numel());
    e = value->t.dtype();
  }
  auto spec = constant_ints(ctx, 0);
  if (!spec) {
    const auto* sd = dims(ctx, 0);
    if (sd && sd->size() == 1 && (*sd)[0].known()) {
      ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims((*sd)[0].value)));
    } else {
      set_unknown(ctx, 0, e);
    }
    return Status::ok();
  }
  for (int64_t s : *spec) {
    if (s < 0) return ctx.error("shape entry {} is negative", s);
  }
  ctx.set_output(0, ir::TypeInfo::tensor_of(e, *spec));
  if (shape_numel(*spec) <= kFoldLimit && (!value || value->t.dtype() != DType::kString)) {
    Tensor folded(e, *spec);
    for (int64_t i = 0; value && i < folded.numel(); ++i) {
      std::memcpy(static_cast<char*>(folded.raw()) + i * dtype_size(e), value->t.raw(), dtype_size(e));
    }
    ctx.set_output_constant(0, folded);
  }
  return Status::ok();
}

Status infer_range(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const Tensor* start = ctx.input_constant(0);
  const Tensor* limit = ctx.input_constant(1);
  const Tensor* delta = ctx.input_constant(2);
  if (!start || !limit || !delta) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(1)));
    return Status::ok();
  }
  if (start->numel() != 1 || limit->numel() != 1 || delta->numel() != 1) {
    return ctx.error("start, limit and delta must be scalars");
  }
  auto n = range_count(start->as_double(0), limit->as_double(0), delta->as_double(0));
  if (!n) return ctx.error("{}", n.status().message());
  ctx.set_output(0, ir::TypeInfo::tensor_of(e, {*n}));
  if (e == DType::kInt64 && *n <= kFoldLimit) {
    std::vector<int64_t> v;
    for (int64_t i = 0; i < *n; ++i) v.push_back(start->as_int64(0) + i * delta->as_int64(0));
    ctx.set_output_constant(0, Tensor::from_vector<int64_t>(v, {*n}));
  }
  return Status::ok();
}

Status infer_eye_like(InferContext& ctx) {
  DType e = elem(ctx, 0);
  if (ctx.node().has_attr("dtype")) {
    int64_t code = ctx.node().attr_int("dtype", 1);
    if (!dtype_is_valid(static_cast<int32_t>(code))) return ctx.error("dtype {} is not supported", code);
    e = static_cast<DType>(code);
  }
  const auto* d = dims(ctx, 0);
  if (d && d->size() != 2) return ctx.error("input must be 2-D, has rank {}", d->size());
  ctx.set_output(0, ir::TypeInfo::tensor(e, d ? *d : unknown_dims(2)));
  return Status::ok();
}

}  // namespace kiln
