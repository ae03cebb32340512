// Concat, Split, Slice, Expand, Tile, Gather: contiguous block copies (memcpy) and strided
// copies, split across threads above kParallelBytes. Unusual inputs (strings, rank > kMaxRank,
// invalid attributes) go to the reference kernel, which also words the errors.
#include <algorithm>
#include <optional>

#include "backends/cpu/tensor/tensor_ops.h"
#include "backends/cpu/tensor/tensor_util.h"
#include "backends/reference/tensor/tensor_args.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "core/parallel.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::cpu::tensor {

namespace {

int64_t span_numel(const Shape& s, int64_t from, int64_t to) {
  int64_t n = 1;
  for (int64_t i = from; i < to; ++i) n *= s[static_cast<size_t>(i)];
  return n;
}

// Copies `count` blocks: block i moves bytes(i) from src(i) to dst(i). Few large blocks are each
// copied by all threads; many blocks are distributed over the threads.
template <typename Block>
void copy_blocks(int64_t count, int64_t total_bytes, Block block) {
  const int threads = omp_get_max_threads();
  if (total_bytes < kParallelBytes || count >= 4 * threads) {
    parallel_for(
        count,
        [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            auto [dst, src, n] = block(i);
            if (n > 0) std::memcpy(dst, src, n);
          }
        },
        std::max<int64_t>(1, count * kParallelBytes / std::max<int64_t>(1, total_bytes)));
  } else {
    for (int64_t i = 0; i < count; ++i) {
      auto [dst, src, n] = block(i);
      parallel_memcpy(dst, src, n);
    }
  }
}

struct Block {
  void* dst;
  const void* src;
  size_t bytes;
};

Status concat_run(KernelContext& ctx) {
  const Tensor* xs[64];
  size_t n = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    if (n == 64 || !ctx.input_value(i).is_tensor() || !is_pod(ctx.input(i).dtype())) return reference::concat(ctx);
    xs[n++] = &ctx.input(i);
  }
  if (n == 0) return reference::concat(ctx);
  const Tensor& first = *xs[0];
  const int64_t rank = first.rank();
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return reference::concat(ctx);
  if (axis < 0) axis += rank;
  Shape out = first.shape();
  out[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < n; ++i) {
    const Tensor& x = *xs[i];
    bool same = x.dtype() == first.dtype() && x.rank() == rank;
    for (int64_t d = 0; same && d < rank; ++d) same = d == axis || x.dim(d) == first.dim(d);
    if (!same) return reference::concat(ctx);
    out[static_cast<size_t>(axis)] += x.dim(axis);
  }
  Tensor& y = ctx.allocate_output_uninit(0, first.dtype(), out);
  const int64_t es = static_cast<int64_t>(dtype_size(first.dtype()));
  const int64_t outer = span_numel(out, 0, axis);
  const int64_t inner = span_numel(out, axis + 1, rank) * es;
  const int64_t row = out[static_cast<size_t>(axis)] * inner;
  int64_t col[65];
  col[0] = 0;
  for (size_t i = 0; i < n; ++i) col[i + 1] = col[i] + xs[i]->dim(axis) * inner;
  char* dst = static_cast<char*>(y.raw());
  const int64_t blocks = outer * static_cast<int64_t>(n);
  copy_blocks(blocks, outer * row, [&](int64_t b) {
    const int64_t o = b / static_cast<int64_t>(n);
    const size_t i = static_cast<size_t>(b % static_cast<int64_t>(n));
    const int64_t len = col[i + 1] - col[i];
    if (len == 0) return Block{nullptr, nullptr, 0};  // an empty input may have no storage
    return Block{dst + o * row + col[i], static_cast<const char*>(xs[i]->raw()) + o * len, static_cast<size_t>(len)};
  });
  return Status::ok();
}

Status split_run(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  if (!is_pod(x.dtype()) || ctx.num_outputs() > 64) return reference::split(ctx);
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return reference::split(ctx);
  if (axis < 0) axis += rank;
  std::optional<std::vector<int64_t>> given;
  if (ctx.opset() < 13) {
    if (ctx.node().has_attr("split")) given = ctx.node().attr_ints("split");
    else if (ctx.opset() < 2 && ctx.has_input(1)) return reference::split(ctx);
  } else if (ctx.has_input(1)) {
    given = ctx.input(1).to_int64_vector();
  }
  auto sizes = split_sizes(x.dim(axis), given, ctx.num_outputs(), ctx.opset());
  if (!sizes || sizes->size() > 64) return reference::split(ctx);
  const int64_t es = static_cast<int64_t>(dtype_size(x.dtype()));
  const int64_t outer = span_numel(x.shape(), 0, axis);
  const int64_t inner = span_numel(x.shape(), axis + 1, rank) * es;
  const int64_t row = x.dim(axis) * inner;
  const size_t n = sizes->size();
  char* dsts[64];
  int64_t col[65];
  col[0] = 0;
  for (size_t o = 0; o < n; ++o) {
    col[o + 1] = col[o] + (*sizes)[o] * inner;
    dsts[o] = nullptr;
    if (!ctx.wants_output(o)) continue;
    Shape shape = x.shape();
    shape[static_cast<size_t>(axis)] = (*sizes)[o];
    dsts[o] = static_cast<char*>(ctx.allocate_output_uninit(o, x.dtype(), shape).raw());
  }
  const char* src = static_cast<const char*>(x.raw());
  copy_blocks(outer * static_cast<int64_t>(n), outer * row, [&](int64_t b) {
    const int64_t o = b / static_cast<int64_t>(n);
    const size_t i = static_cast<size_t>(b % static_cast<int64_t>(n));
    const int64_t len = col[i + 1] - col[i];
    if (!dsts[i] || len == 0) return Block{nullptr, nullptr, 0};
    return Block{dsts[i] + o * len, src + o * row + col[i], static_cast<size_t>(len)};
  });
  return Status::ok();
}

Status slice_run(KernelContext& ctx) {
  if (!ctx.has_input(0) || !ctx.input_value(0).is_tensor()) return reference::slice(ctx);
  const Tensor& x = ctx.input(0);
  if (!is_pod(x.dtype()) || x.rank() > kMaxRank) return reference::slice(ctx);
  KILN_ASSIGN_OR_RETURN(const std::vector<SliceDim> plan, reference::slice_plan_of(ctx, x.shape()));
  const std::vector<int64_t> strides = shape_strides(x.shape());
  StridedCopy c;
  c.rank = static_cast<int>(x.rank());
  Shape out(plan.size());
  int64_t offset = 0;
  bool empty = false;
  for (size_t d = 0; d < plan.size(); ++d) {
    const SliceDim& p = plan[d];
    if (p.count > 0) offset += p.start * strides[d];
    empty = empty || p.count == 0;
    out[d] = p.count;
    c.shape[d] = p.count;
    c.stride[d] = p.step * strides[d];
  }
  Tensor& y = ctx.allocate_output_uninit(0, x.dtype(), out);
  if (empty) return Status::ok();
  const size_t es = dtype_size(x.dtype());
  strided_copy(static_cast<const char*>(x.raw()) + offset * static_cast<int64_t>(es), y.raw(), es, c);
  return Status::ok();
}

Status expand_run(KernelContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return reference::expand(ctx);
  const Tensor& x = ctx.input(0);
  if (!is_pod(x.dtype())) return reference::expand(ctx);
  std::vector<int64_t> spec = ctx.input(1).to_int64_vector();
  for (int64_t s : spec) {
    if (s < 0) return reference::expand(ctx);
  }
  auto out = broadcast_shapes(x.shape(), spec);
  if (!out || out->size() > static_cast<size_t>(kMaxRank)) return reference::expand(ctx);
  const std::vector<int64_t> bs = broadcast_strides(x.shape(), *out);
  StridedCopy c;
  c.rank = static_cast<int>(out->size());
  for (int d = 0; d < c.rank; ++d) {
    c.shape[d] = (*out)[static_cast<size_t>(d)];
    c.stride[d] = bs[static_cast<size_t>(d)];
  }
  Tensor& y = ctx.allocate_output_uninit(0, x.dtype(), *out);
  if (y.numel() == 0) return Status::ok();
  strided_copy(x.raw(), y.raw(), dtype_size(x.dtype()), c);
  return Status::ok();
}

// Tile as a strided read: dim d of length n repeated r times reads as dims (r, n) with strides
// (0, stride).
Status tile_run(KernelContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return reference::tile(ctx);
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> repeats = ctx.input(1).to_int64_vector();
  if (!is_pod(x.dtype()) || 2 * x.rank() > kMaxRank || static_cast<int64_t>(repeats.size()) != x.rank()) {
    return reference::tile(ctx);
  }
  const std::vector<int64_t> strides = shape_strides(x.shape());
  StridedCopy c;
  Shape out;
  for (int64_t d = 0; d < x.rank(); ++d) {
    const int64_t r = repeats[static_cast<size_t>(d)];
    if (r < 0) return reference::tile(ctx);
    c.shape[c.rank] = r;
    c.stride[c.rank++] = 0;
    c.shape[c.rank] = x.dim(d);
    c.stride[c.rank++] = strides[static_cast<size_t>(d)];
    out.push_back(r * x.dim(d));
  }
  Tensor& y = ctx.allocate_output_uninit(0, x.dtype(), out);
  if (y.numel() == 0) return Status::ok();
  strided_copy(x.raw(), y.raw(), dtype_size(x.dtype()), c);
  return Status::ok();
}

template <typename I>
Status gather_typed(KernelContext& ctx, const Tensor& x, const Tensor& ind, int64_t axis) {
  const int64_t len = x.dim(axis);
  const I* idx = ind.data<I>();
  const int64_t count = ind.numel();
  for (int64_t j = 0; j < count; ++j) {
    const int64_t v = static_cast<int64_t>(idx[j]);
    if (v < -len || v >= len) {
      return ctx.error("indices entry {} is {}, out of range [{}, {}) of axis {} of {}", j, v, -len, len, axis,
                       x.describe());
    }
  }
  Shape out(x.shape().begin(), x.shape().begin() + axis);
  out.insert(out.end(), ind.shape().begin(), ind.shape().end());
  out.insert(out.end(), x.shape().begin() + axis + 1, x.shape().end());
  Tensor& y = ctx.allocate_output_uninit(0, x.dtype(), out);
  if (y.numel() == 0) return Status::ok();
  const int64_t es = static_cast<int64_t>(dtype_size(x.dtype()));
  const int64_t outer = span_numel(x.shape(), 0, axis);
  const int64_t inner = span_numel(x.shape(), axis + 1, x.rank()) * es;
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  copy_blocks(outer * count, outer * count * inner, [&](int64_t b) {
    const int64_t o = b / count, j = b % count;
    int64_t v = static_cast<int64_t>(idx[j]);
    if (v < 0) v += len;
    return Block{dst + b * inner, src + (o * len + v) * inner, static_cast<size_t>(inner)};
  });
  return Status::ok();
}

Status gather_run(KernelContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return reference::gather(ctx);
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (!is_pod(x.dtype()) || axis < -x.rank() || axis >= x.rank()) return reference::gather(ctx);
  if (axis < 0) axis += x.rank();
  if (ind.dtype() == DType::kInt64) return gather_typed<int64_t>(ctx, x, ind, axis);
  if (ind.dtype() == DType::kInt32) return gather_typed<int32_t>(ctx, x, ind, axis);
  return reference::gather(ctx);
}

Prepared prepare_pod(const PrepareContext& pctx, KernelFn fn) {
  if (!input_dtype_ok(pctx, 0, is_pod)) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<FnKernel>(fn));
}

}  // namespace

Prepared prepare_concat(const PrepareContext& pctx) { return prepare_pod(pctx, concat_run); }
Prepared prepare_split(const PrepareContext& pctx) { return prepare_pod(pctx, split_run); }
Prepared prepare_slice(const PrepareContext& pctx) { return prepare_pod(pctx, slice_run); }
Prepared prepare_expand(const PrepareContext& pctx) { return prepare_pod(pctx, expand_run); }
Prepared prepare_tile(const PrepareContext& pctx) { return prepare_pod(pctx, tile_run); }
Prepared prepare_gather(const PrepareContext& pctx) { return prepare_pod(pctx, gather_run); }

}  // namespace kiln::cpu::tensor
