// Inference for indexing ops: Gather*, Scatter*, Compress, NonZero, OneHot, ReverseSequence, Unique,
// TopK, CumSum, Trilu.
#include <algorithm>

#include "ops/tensor/infer_helpers.h"

namespace kiln {

using namespace tensor_infer;

Status infer_gather(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  const auto* id = dims(ctx, 1);
  if (!d || !id) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  std::vector<ir::Dim> out(d->begin(), d->begin() + axis);
  out.insert(out.end(), id->begin(), id->end());
  out.insert(out.end(), d->begin() + axis + 1, d->end());
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  // Fold picking entries of a constant shape vector.
  const Tensor* c = ctx.input_constant(0);
  const Tensor* idx = ctx.input_constant(1);
  if (!c || !idx || !c->valid() || !idx->valid() || c->dtype() != DType::kInt64 || c->rank() != 1 ||
      idx->numel() > kFoldLimit) {
    return Status::ok();
  }
  std::vector<int64_t> v;
  for (int64_t i : idx->to_int64_vector()) {
    if (i < -c->numel() || i >= c->numel()) return ctx.error("index {} is out of range for length {}", i, c->numel());
    v.push_back(c->data<int64_t>()[i < 0 ? i + c->numel() : i]);
  }
  ctx.set_output_constant(0, Tensor::from_vector<int64_t>(v, idx->shape()));
  return Status::ok();
}

Status infer_gather_elements(InferContext& ctx) {
  const auto* id = dims(ctx, 1);
  if (id) {
    ctx.set_output(0, ir::TypeInfo::tensor(elem(ctx, 0), *id));
  } else {
    set_unknown(ctx, 0, elem(ctx, 0));
  }
  return Status::ok();
}

Status infer_gather_nd(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  const auto* id = dims(ctx, 1);
  if (!d || !id || id->empty() || !id->back().known()) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  const int64_t b = ctx.node().attr_int("batch_dims", 0);
  const int64_t last = id->back().value;
  const int64_t r = static_cast<int64_t>(d->size());
  if (b < 0 || b + last > r || b >= static_cast<int64_t>(id->size())) {
    return ctx.error("batch_dims {} with index depth {} does not fit data rank {}", b, last, r);
  }
  std::vector<ir::Dim> out(id->begin(), id->end() - 1);
  out.insert(out.end(), d->begin() + b + last, d->end());
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  return Status::ok();
}

Status infer_scatter(InferContext& ctx) { return infer_same_as_input(ctx, 0); }

Status infer_compress(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  ir::Dim count;
  if (const Tensor* c = ctx.input_constant(1); c && c->valid()) {
    int64_t n = 0;
    for (int64_t i = 0; i < c->numel(); ++i) n += c->as_int64(i) != 0 ? 1 : 0;
    count = ir::Dim(n);
  }
  if (!ctx.node().has_attr("axis")) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, {count}));
    return Status::ok();
  }
  if (!d) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  std::vector<ir::Dim> out = *d;
  out[static_cast<size_t>(axis)] = count;
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  return Status::ok();
}

Status infer_non_zero(InferContext& ctx) {
  const auto* d = dims(ctx, 0);
  ir::Dim count;
  if (const Tensor* c = ctx.input_constant(0); c && c->valid() && c->dtype() != DType::kString) {
    int64_t n = 0;
    for (int64_t i = 0; i < c->numel(); ++i) n += c->as_double(i) != 0 ? 1 : 0;
    count = ir::Dim(n);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(DType::kInt64, {d ? ir::Dim(static_cast<int64_t>(d->size())) : ir::Dim(), count}));
  return Status::ok();
}

Status infer_one_hot(InferContext& ctx) {
  const DType e = elem(ctx, 2);
  const auto* d = dims(ctx, 0);
  if (!d) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  const int64_t out_rank = static_cast<int64_t>(d->size()) + 1;
  int64_t axis = ctx.node().attr_int("axis", -1);
  if (axis < -out_rank || axis >= out_rank) return ctx.error("axis {} is out of range for rank {}", axis, out_rank);
  if (axis < 0) axis += out_rank;
  ir::Dim depth;
  if (const Tensor* c = ctx.input_constant(1); c && c->valid()) {
    if (c->numel() != 1) return ctx.error("depth must hold one value, has {}", c->numel());
    depth = ir::Dim(static_cast<int64_t>(c->as_double(0)));
    if (depth.value <= 0) return ctx.error("depth must be positive, is {}", c->as_double(0));
  }
  std::vector<ir::Dim> out = *d;
  out.insert(out.begin() + axis, depth);
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  return Status::ok();
}

Status infer_reverse_sequence(InferContext& ctx) { return infer_same_as_input(ctx, 0); }

Status infer_unique(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  const bool has_axis = ctx.node().has_attr("axis");
  std::vector<ir::Dim> y(1);
  ir::Dim inverse_len;
  if (d) {
    if (has_axis) {
      const int64_t rank = static_cast<int64_t>(d->size());
      int64_t axis = ctx.node().attr_int("axis", 0);
      if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
      if (axis < 0) axis += rank;
      y = *d;
      y[static_cast<size_t>(axis)] = ir::Dim();
      inverse_len = (*d)[static_cast<size_t>(axis)];
    } else if (auto s = shape(ctx, 0)) {
      inverse_len = ir::Dim(shape_numel(*s));
    }
  }
  if (has_axis && !d) {
    set_unknown(ctx, 0, e);
  } else {
    ctx.set_output(0, ir::TypeInfo::tensor(e, y));
  }
  ctx.set_output(1, ir::TypeInfo::tensor(DType::kInt64, {ir::Dim()}));
  ctx.set_output(2, ir::TypeInfo::tensor(DType::kInt64, {inverse_len}));
  ctx.set_output(3, ir::TypeInfo::tensor(DType::kInt64, {ir::Dim()}));
  return Status::ok();
}

Status infer_top_k(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  if (!d) {
    set_unknown(ctx, 0, e);
    set_unknown(ctx, 1, DType::kInt64);
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  int64_t axis = ctx.node().attr_int("axis", -1);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  ir::Dim k;
  if (ctx.opset() < 10) {
    k = ir::Dim(ctx.node().attr_int("k", 0));
  } else if (auto kv = constant_ints(ctx, 1)) {
    if (kv->size() != 1) return ctx.error("K must hold one value, has {}", kv->size());
    k = ir::Dim((*kv)[0]);
  }
  const ir::Dim& da = (*d)[static_cast<size_t>(axis)];
  if (k.known() && (k.value < 0 || (da.known() && k.value > da.value))) {
    return ctx.error("K {} is out of range for axis length {}", k.value, da.str());
  }
  std::vector<ir::Dim> out = *d;
  out[static_cast<size_t>(axis)] = k;
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  ctx.set_output(1, ir::TypeInfo::tensor(DType::kInt64, out));
  return Status::ok();
}

Status infer_cum_sum(InferContext& ctx) { return infer_same_as_input(ctx, 0); }

Status infer_trilu(InferContext& ctx) { return infer_same_as_input(ctx, 0); }

}  // namespace kiln
