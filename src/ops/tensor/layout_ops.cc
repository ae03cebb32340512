// Inference for data-movement ops: Transpose, Concat, Split, Slice, Tile, Pad, DepthToSpace,
// SpaceToDepth.
#include <algorithm>

#include "ops/tensor/infer_helpers.h"

namespace kiln {

using namespace tensor_infer;

namespace {

ir::Dim mul(const ir::Dim& d, int64_t k) { return d.known() ? ir::Dim(d.value * k) : ir::Dim(); }
ir::Dim add(const ir::Dim& d, int64_t k) { return d.known() ? ir::Dim(d.value + k) : ir::Dim(); }

}  // namespace

Status infer_transpose(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  std::vector<int64_t> perm = ctx.node().attr_ints("perm");
  if (!d) {
    if (perm.empty()) {
      set_unknown(ctx, 0, e);
    } else {
      ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(static_cast<int64_t>(perm.size()))));
    }
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  if (perm.empty()) {
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  if (static_cast<int64_t>(perm.size()) != rank) {
    return ctx.error("perm has {} entries but the input has rank {}", perm.size(), rank);
  }
  auto norm = normalize_axes(perm, rank);
  if (!norm) return ctx.error("perm: {}", norm.status().message());
  std::vector<ir::Dim> out;
  for (int64_t p : *norm) out.push_back((*d)[static_cast<size_t>(p)]);
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  return Status::ok();
}

Status infer_concat(InferContext& ctx) {
  DType e = DType::kUndefined;
  std::optional<std::vector<ir::Dim>> out;
  int64_t axis = ctx.node().attr_int("axis", 0);
  int64_t rank = -1;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    if (e == DType::kUndefined) e = elem(ctx, i);
    if (const auto* d = dims(ctx, i)) rank = static_cast<int64_t>(d->size());
  }
  if (!ctx.node().has_attr("axis") && ctx.opset() >= 4) return ctx.error("attribute axis is required");
  if (rank < 0) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  std::vector<ir::Dim> result = unknown_dims(rank);
  bool first = true;
  ir::Dim total(0);
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    const auto* d = dims(ctx, i);
    if (!d) {
      total = ir::Dim();
      continue;
    }
    if (static_cast<int64_t>(d->size()) != rank) {
      return ctx.error("input {} has rank {} but input 0 has rank {}", i, d->size(), rank);
    }
    for (int64_t k = 0; k < rank; ++k) {
      const ir::Dim& dk = (*d)[static_cast<size_t>(k)];
      if (k == axis) continue;
      ir::Dim& r = result[static_cast<size_t>(k)];
      if (first || (!r.known() && r.symbol.empty())) {
        r = dk;
      } else if (r.known() && dk.known() && r.value != dk.value) {
        return ctx.error("input {} has length {} on axis {}, others have {}", i, dk.value, k, r.value);
      } else if (dk.known()) {
        r = dk;
      }
    }
    const ir::Dim& da = (*d)[static_cast<size_t>(axis)];
    total = (total.known() && da.known()) ? ir::Dim(total.value + da.value) : ir::Dim();
    first = false;
  }
  result[static_cast<size_t>(axis)] = total;
  ctx.set_output(0, ir::TypeInfo::tensor(e, result));
  // Fold 1-D int64 constants (shape vectors being assembled).
  if (e != DType::kInt64 || rank != 1) return Status::ok();
  std::vector<int64_t> values;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    const Tensor* c = ctx.input_constant(i);
    if (!c || !c->valid() || c->rank() != 1 || c->numel() > kFoldLimit) return Status::ok();
    for (int64_t v : c->to_int64_vector()) values.push_back(v);
  }
  ctx.set_output_constant(0, Tensor::from_vector<int64_t>(values, {static_cast<int64_t>(values.size())}));
  return Status::ok();
}

Status infer_split(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  const size_t n = ctx.num_outputs();
  std::optional<std::vector<int64_t>> split;
  bool split_known = true;
  if (ctx.opset() < 13) {
    if (ctx.node().has_attr("split")) split = ctx.node().attr_ints("split");
  } else if (ctx.has_input(1)) {
    split = constant_ints(ctx, 1);
    split_known = split.has_value();
  }
  if (!d) {
    for (size_t o = 0; o < n; ++o) set_unknown(ctx, o, e);
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  const ir::Dim& da = (*d)[static_cast<size_t>(axis)];
  std::optional<std::vector<int64_t>> sizes;
  if (split_known && (split || da.known())) {
    auto s = split_sizes(da.known() ? da.value : std::max<int64_t>(0, [&] {
      int64_t sum = 0;
      for (int64_t v : *split) sum += v;
      return sum;
    }()), split, n, ctx.opset());
    if (!s) return ctx.error("{}", s.status().message());
    sizes = *s;
  }
  for (size_t o = 0; o < n; ++o) {
    std::vector<ir::Dim> out = *d;
    out[static_cast<size_t>(axis)] = sizes ? ir::Dim((*sizes)[o]) : ir::Dim();
    ctx.set_output(o, ir::TypeInfo::tensor(e, out));
  }
  return Status::ok();
}

Status infer_slice(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  std::optional<std::vector<int64_t>> starts, ends, axes = std::vector<int64_t>{}, steps = std::vector<int64_t>{};
  if (ctx.opset() < 10) {
    starts = ctx.node().attr_ints("starts");
    ends = ctx.node().attr_ints("ends");
    axes = ctx.node().attr_ints("axes");
  } else {
    starts = constant_ints(ctx, 1);
    ends = constant_ints(ctx, 2);
    if (ctx.has_input(3)) axes = constant_ints(ctx, 3);
    if (ctx.has_input(4)) steps = constant_ints(ctx, 4);
  }
  if (!d) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  if (!starts || !ends || !axes || !steps) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(static_cast<int64_t>(d->size()))));
    return Status::ok();
  }
  // Plan with unknown dims standing in as a huge length; only sliced-known dims are trusted.
  Shape probe;
  for (const ir::Dim& dim : *d) probe.push_back(dim.known() ? dim.value : 0);
  auto plan = slice_plan(probe, *starts, *ends, *axes, *steps);
  if (!plan) return ctx.error("{}", plan.status().message());
  std::vector<int64_t> norm_axes = *axes;
  if (norm_axes.empty()) {
    for (size_t i = 0; i < starts->size(); ++i) norm_axes.push_back(static_cast<int64_t>(i));
  }
  std::vector<bool> sliced(d->size(), false);
  auto sliced_axes = normalize_axes(norm_axes, static_cast<int64_t>(d->size()));
  if (!sliced_axes) return ctx.error("{}", sliced_axes.status().message());
  for (int64_t a : *sliced_axes) sliced[static_cast<size_t>(a)] = true;
  std::vector<ir::Dim> out;
  for (size_t i = 0; i < d->size(); ++i) {
    if (!sliced[i]) {
      out.push_back((*d)[i]);
    } else {
      out.push_back((*d)[i].known() ? ir::Dim((*plan)[i].count) : ir::Dim());
    }
  }
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  const Tensor* c = ctx.input_constant(0);
  if (c && c->valid() && c->dtype() == DType::kInt64 && c->rank() == 1 && c->numel() <= kFoldLimit) {
    auto exact = slice_plan(c->shape(), *starts, *ends, *axes, *steps);
    if (!exact) return ctx.error("{}", exact.status().message());
    const SliceDim& p = (*exact)[0];
    std::vector<int64_t> v;
    for (int64_t i = 0; i < p.count; ++i) v.push_back(c->data<int64_t>()[p.start + i * p.step]);
    ctx.set_output_constant(0, Tensor::from_vector<int64_t>(v, {p.count}));
  }
  return Status::ok();
}

Status infer_tile(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  auto repeats = constant_ints(ctx, 1);
  if (!d) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  if (!repeats) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(static_cast<int64_t>(d->size()))));
    return Status::ok();
  }
  if (repeats->size() != d->size()) {
    return ctx.error("repeats has {} entries but the input has rank {}", repeats->size(), d->size());
  }
  std::vector<ir::Dim> out;
  for (size_t i = 0; i < d->size(); ++i) {
    if ((*repeats)[i] < 0) return ctx.error("repeats[{}] is negative", i);
    out.push_back(mul((*d)[i], (*repeats)[i]));
  }
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  return Status::ok();
}

Status infer_pad(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  std::optional<std::vector<int64_t>> pads;
  std::optional<std::vector<int64_t>> axes;
  bool axes_known = true;
  if (ctx.opset() < 11) {
    pads = ctx.node().attr_ints(ctx.opset() < 2 ? "paddings" : "pads");
  } else {
    pads = constant_ints(ctx, 1);
    if (ctx.has_input(3)) {
      axes = constant_ints(ctx, 3);
      axes_known = axes.has_value();
    }
  }
  if (!d) {
    set_unknown(ctx, 0, e);
    return Status::ok();
  }
  const int64_t rank = static_cast<int64_t>(d->size());
  if (!pads || !axes_known) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(rank)));
    return Status::ok();
  }
  auto full = full_pads(*pads, axes, rank);
  if (!full) return ctx.error("{}", full.status().message());
  std::vector<ir::Dim> out;
  for (int64_t i = 0; i < rank; ++i) {
    ir::Dim r = add((*d)[static_cast<size_t>(i)], (*full)[static_cast<size_t>(i)] + (*full)[static_cast<size_t>(i + rank)]);
    if (r.known() && r.value < 0) return ctx.error("pads make axis {} negative", i);
    out.push_back((*full)[static_cast<size_t>(i)] == 0 && (*full)[static_cast<size_t>(i + rank)] == 0
                      ? (*d)[static_cast<size_t>(i)]
                      : r);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(e, out));
  return Status::ok();
}

Status infer_depth_to_space(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  const int64_t b = ctx.node().attr_int("blocksize", 0);
  if (b <= 0) return ctx.error("blocksize must be positive, is {}", b);
  if (!d) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(4)));
    return Status::ok();
  }
  if (d->size() != 4) return ctx.error("input must be 4-D, has rank {}", d->size());
  const ir::Dim& c = (*d)[1];
  if (c.known() && c.value % (b * b) != 0) return ctx.error("channels {} not divisible by blocksize^2 {}", c.value, b * b);
  ctx.set_output(0, ir::TypeInfo::tensor(e, {(*d)[0], c.known() ? ir::Dim(c.value / (b * b)) : ir::Dim(),
                                              mul((*d)[2], b), mul((*d)[3], b)}));
  return Status::ok();
}

Status infer_space_to_depth(InferContext& ctx) {
  const DType e = elem(ctx, 0);
  const auto* d = dims(ctx, 0);
  const int64_t b = ctx.node().attr_int("blocksize", 0);
  if (b <= 0) return ctx.error("blocksize must be positive, is {}", b);
  if (!d) {
    ctx.set_output(0, ir::TypeInfo::tensor(e, unknown_dims(4)));
    return Status::ok();
  }
  if (d->size() != 4) return ctx.error("input must be 4-D, has rank {}", d->size());
  auto div = [&](const ir::Dim& x) -> Expected<ir::Dim> {
    if (!x.known()) return ir::Dim();
    if (x.value % b != 0) return invalid_argument("spatial dim {} not divisible by blocksize {}", x.value, b);
    return ir::Dim(x.value / b);
  };
  auto h = div((*d)[2]);
  auto w = div((*d)[3]);
  if (!h) return ctx.error("{}", h.status().message());
  if (!w) return ctx.error("{}", w.status().message());
  ctx.set_output(0, ir::TypeInfo::tensor(e, {(*d)[0], mul((*d)[1], b * b), *h, *w}));
  return Status::ok();
}

}  // namespace kiln
