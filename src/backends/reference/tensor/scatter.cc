// Scatter (deprecated alias of ScatterElements), ScatterElements and ScatterND: the output is a
// copy of data with updates written (or combined by `reduction`) at the indexed positions.
#include <algorithm>
#include <string>

#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

namespace {

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

Expected<Reduction> parse_reduction(const KernelContext& ctx) {
  const std::string r = ctx.node().attr_string("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (r == "max") return Reduction::kMax;
  if (r == "min") return Reduction::kMin;
  return ctx.error("reduction '{}' is not one of none, add, mul, max, min", r);
}

template <typename T>
void combine(T& dst, const T& src, Reduction r) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
    dst = src;
  } else {
    switch (r) {
      case Reduction::kNone: dst = src; break;
      case Reduction::kAdd: dst = static_cast<T>(dst + src); break;
      case Reduction::kMul: dst = static_cast<T>(dst * src); break;
      case Reduction::kMax: dst = std::max<T>(dst, src); break;
      case Reduction::kMin: dst = std::min<T>(dst, src); break;
    }
  }
}

Status scatter_elements_impl(KernelContext& ctx, Reduction reduction) {
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  const Tensor& upd = ctx.input(2);
  if (!dtype_is_integer(ind.dtype())) return ctx.error("indices must be integers, is {}", ind.describe());
  const int64_t rank = x.rank();
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -rank || axis >= rank) return ctx.error("axis {} is out of range for {}", axis, x.describe());
  if (axis < 0) axis += rank;
  if (ind.shape() != upd.shape() || ind.rank() != rank) {
    return ctx.error("indices {} and updates {} must match and have the rank of data {}", ind.describe(),
                     upd.describe(), x.describe());
  }
  if (upd.dtype() != x.dtype()) return ctx.error("updates {} must have the dtype of data {}", upd.describe(), x.describe());
  for (int64_t d = 0; d < rank; ++d) {
    if (d != axis && ind.dim(d) > x.dim(d)) return ctx.error("indices {} exceed data {} on axis {}", ind.describe(), x.describe(), d);
  }
  std::vector<int64_t> idx = ind.to_int64_vector();
  const int64_t len = x.dim(axis);
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < -len || idx[i] >= len) return ctx.error("indices entry {} is {}, out of range for axis length {}", i, idx[i], len);
    if (idx[i] < 0) idx[i] += len;
  }
  Tensor y = x.clone();
  const std::vector<int64_t> xs = shape_strides(x.shape());
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* u = upd.data<T>();
    T* dst = y.data<T>();
    std::vector<int64_t> coord(static_cast<size_t>(rank), 0);
    for (int64_t i = 0; i < upd.numel(); ++i) {
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d) {
        const size_t ud = static_cast<size_t>(d);
        off += (d == axis ? idx[static_cast<size_t>(i)] : coord[ud]) * xs[ud];
      }
      combine<T>(dst[off], u[i], reduction);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++coord[static_cast<size_t>(d)] < upd.dim(d)) break;
        coord[static_cast<size_t>(d)] = 0;
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  ctx.set_output(0, Value(std::move(y)));
  return Status::ok();
}

}  // namespace

Status scatter(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 3));
  return scatter_elements_impl(ctx, Reduction::kNone);
}

Status scatter_elements(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 3));
  KILN_ASSIGN_OR_RETURN(Reduction r, parse_reduction(ctx));
  return scatter_elements_impl(ctx, r);
}

Status scatter_nd(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 3));
  KILN_ASSIGN_OR_RETURN(Reduction reduction, parse_reduction(ctx));
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  const Tensor& upd = ctx.input(2);
  if (ind.rank() < 1) return ctx.error("indices must have rank >= 1, is {}", ind.describe());
  const int64_t depth = ind.dim(ind.rank() - 1);
  if (depth > x.rank()) return ctx.error("index depth {} exceeds data rank of {}", depth, x.describe());
  // updates.shape == indices.shape[:-1] + data.shape[depth:]
  Shape want(ind.shape().begin(), ind.shape().end() - 1);
  want.insert(want.end(), x.shape().begin() + depth, x.shape().end());
  if (upd.shape() != want) return ctx.error("updates {} should have shape {}", upd.describe(), shape_str(want));
  if (upd.dtype() != x.dtype()) return ctx.error("updates {} must have the dtype of data {}", upd.describe(), x.describe());
  const std::vector<int64_t> raw = ind.to_int64_vector();
  const std::vector<int64_t> xs = shape_strides(x.shape());
  int64_t slice = 1;
  for (int64_t d = depth; d < x.rank(); ++d) slice *= x.dim(d);
  const int64_t tuples = shape_numel(Shape(ind.shape().begin(), ind.shape().end() - 1));
  std::vector<int64_t> offsets;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (int64_t k = 0; k < depth; ++k) {
      int64_t v = raw[static_cast<size_t>(t * depth + k)];
      if (v < -x.dim(k) || v >= x.dim(k)) return ctx.error("index {} out of range for axis {} of {}", v, k, x.describe());
      if (v < 0) v += x.dim(k);
      off += v * xs[static_cast<size_t>(k)];
    }
    offsets.push_back(off);
  }
  Tensor y = x.clone();
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* u = upd.data<T>();
    T* dst = y.data<T>();
    for (int64_t t = 0; t < tuples; ++t) {
      for (int64_t j = 0; j < slice; ++j) combine<T>(dst[offsets[static_cast<size_t>(t)] + j], u[t * slice + j], reduction);
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  ctx.set_output(0, Value(std::move(y)));
  return Status::ok();
}

}  // namespace kiln::reference
