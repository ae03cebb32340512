// ReduceSum/Mean/Max/Min (float32; int64 for Sum/Max/Min) and ArgMax/ArgMin (float32, int64).
// Dims are collapsed into alternating kept (K) / reduced (R) groups; the fast shapes are
//   [K, R]    rows reduced along the contiguous innermost axis (16 independent accumulators),
//   [R, K]    column sums: the output row accumulates input rows (vectorized over K),
//   [K, R, K] column sums per outer index, [R] everything into one value (per-thread partials).
// Other patterns and empty inputs run on the reference kernel. float32 accumulates in float (as
// onnxruntime does); the reference accumulates in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "backends/cpu/tensor/tensor_ops.h"
#include "backends/cpu/tensor/reduce_rows.h"
#include "backends/cpu/tensor/tensor_util.h"
#include "core/cpu_features.h"
#include "backends/reference/reduction/reduction_kernels.h"
#include "core/parallel.h"

namespace kiln::cpu::tensor {

namespace {

enum class Kind { kSum, kMean, kMax, kMin };

template <typename T>
T init_value(Kind k) {
  if (k == Kind::kMax) {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  if (k == Kind::kMin) {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  return T(0);
}

// a (+)= v. Integer sums wrap (unsigned arithmetic) instead of overflowing; NaN propagates
// through max/min as in the reference kernel.
template <Kind K, typename T>
inline T combine(T a, T v) {
  if constexpr (K == Kind::kSum || K == Kind::kMean) {
    if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(v));
    else return a + v;
  } else if constexpr (K == Kind::kMax) {
    return (v > a || v != v) ? v : a;
  } else {
    return (v < a || v != v) ? v : a;
  }
}

// Reduces n contiguous values with 16 independent accumulators (the compiler vectorizes the
// inner loop; fewer dependent adds also means less rounding error).
template <Kind K, typename T>
T reduce_contiguous(const T* p, int64_t n) {
  constexpr int kLanes = 16;
  T acc[kLanes];
  for (T& a : acc) a = init_value<T>(K);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) acc[j] = combine<K>(acc[j], p[i + j]);
  }
  for (int j = 0; i < n; ++i, ++j) acc[j] = combine<K>(acc[j], p[i]);
  for (int w = kLanes / 2; w > 0; w /= 2) {
    for (int j = 0; j < w; ++j) acc[j] = combine<K>(acc[j], acc[j + w]);
  }
  return acc[0];
}

// One row: the ISA variant for float32, the portable loop otherwise.
template <Kind K, typename T>
T row_reduce(const T* p, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    return reduce_row_f32(K == Kind::kMax ? RowOp::kMax : K == Kind::kMin ? RowOp::kMin : RowOp::kSum, p, n);
  } else {
    return reduce_contiguous<K>(p, n);
  }
}

template <Kind K, typename T>
T finish(T a, int64_t count) {
  if constexpr (K == Kind::kMean) return static_cast<T>(a / static_cast<T>(count));
  else return a;
}

// y[o * inner + j] = reduce over r < m of x[(o * m + r) * inner + j], for o < outer.
template <Kind K, typename T>
void reduce_columns(const T* x, T* y, int64_t outer, int64_t m, int64_t inner) {
  constexpr int64_t kChunk = 256;  // columns per work item: a few cache lines of the output
  const int64_t chunks = (inner + kChunk - 1) / kChunk;
  parallel_for(
      outer * chunks,
      [&](int64_t w0, int64_t w1) {
        for (int64_t w = w0; w < w1; ++w) {
          const int64_t o = w / chunks, j0 = (w % chunks) * kChunk, nj = std::min(kChunk, inner - j0);
          const T* src = x + o * m * inner + j0;
          T* dst = y + o * inner + j0;
          for (int64_t j = 0; j < nj; ++j) dst[j] = src[j];
          for (int64_t r = 1; r < m; ++r) {
            const T* row = src + r * inner;
            for (int64_t j = 0; j < nj; ++j) dst[j] = combine<K>(dst[j], row[j]);
          }
          if constexpr (K == Kind::kMean) {
            for (int64_t j = 0; j < nj; ++j) dst[j] = finish<K>(dst[j], m);
          }
        }
      },
      std::max<int64_t>(1, kParallelBytes / std::max<int64_t>(1, m * kChunk * static_cast<int64_t>(sizeof(T)))));
}

template <Kind K, typename T>
void reduce_rows(KernelContext& ctx, const T* x, T* y, int64_t outer, int64_t n) {
  const int64_t bytes = outer * n * static_cast<int64_t>(sizeof(T));
  if (outer == 1 && bytes >= 4 * kParallelBytes) {
    // One long row: per-thread partials, combined in a fixed order (deterministic).
    const int threads = omp_get_max_threads();
    T* partial = static_cast<T*>(ctx.scratch(static_cast<size_t>(threads) * sizeof(T)));
    for (int t = 0; t < threads; ++t) partial[t] = init_value<T>(K);
    parallel_for(threads, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t b = n * t / threads, e = n * (t + 1) / threads;
        partial[t] = row_reduce<K>(x + b, e - b);
      }
    });
    T acc = init_value<T>(K);
    for (int t = 0; t < threads; ++t) acc = combine<K>(acc, partial[t]);
    y[0] = finish<K>(acc, n);
    return;
  }
  parallel_for(
      outer,
      [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; ++o) y[o] = finish<K>(row_reduce<K>(x + o * n, n), n);
      },
      std::max<int64_t>(1, kParallelBytes / std::max<int64_t>(1, n * static_cast<int64_t>(sizeof(T)))));
}

template <Kind K, KernelFn Ref>
Status reduce_run(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool is_f32 = x.dtype() == DType::kFloat32;
  if (!(is_f32 || (x.dtype() == DType::kInt64 && K != Kind::kMean)) || x.numel() == 0 || x.rank() > kMaxRank) {
    return Ref(ctx);
  }
  const ir::Node& node = ctx.node();
  const bool keepdims = node.attr_int("keepdims", 1) != 0;
  const bool noop = node.attr_int("noop_with_empty_axes", 0) != 0;
  std::vector<int64_t> axes = ctx.has_input(1) ? ctx.input(1).to_int64_vector() : node.attr_ints("axes");
  if (axes.empty() && noop) {
    ctx.set_output(0, ctx.input_value(0));
    return Status::ok();
  }
  const int64_t rank = x.rank();
  bool reduced[kMaxRank];
  for (int64_t d = 0; d < rank; ++d) reduced[d] = axes.empty();
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) return Ref(ctx);  // the reference words the error
    reduced[a < 0 ? a + rank : a] = true;
  }
  Shape out_shape;
  // Groups: alternating kept / reduced runs of dims (length-1 dims skipped).
  int64_t glen[kMaxRank];
  bool gred[kMaxRank];
  int ng = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d]) out_shape.push_back(x.dim(d));
    else if (keepdims) out_shape.push_back(1);
    if (x.dim(d) == 1) continue;
    if (ng > 0 && gred[ng - 1] == reduced[d]) {
      glen[ng - 1] *= x.dim(d);
    } else {
      glen[ng] = x.dim(d);
      gred[ng++] = reduced[d];
    }
  }
  int64_t outer = 1, m = 1, inner = 1;
  bool row_pattern = false;
  if (ng == 0) {
    row_pattern = true;  // a single element
  } else if (ng == 1) {
    (gred[0] ? m : outer) = glen[0];
    row_pattern = true;  // [R] reduces everything; [K] reduces nothing (n = 1)
  } else if (ng == 2 && !gred[0]) {
    outer = glen[0];
    m = glen[1];
    row_pattern = true;
  } else if (ng == 2) {
    m = glen[0];
    inner = glen[1];
  } else if (ng == 3 && !gred[0]) {
    outer = glen[0];
    m = glen[1];
    inner = glen[2];
  } else {
    return Ref(ctx);
  }
  Tensor& y = ctx.allocate_output_uninit(0, x.dtype(), out_shape);
  auto go = [&]<typename T>() {
    if (row_pattern) reduce_rows<K, T>(ctx, x.data<T>(), y.data<T>(), outer, m);
    else reduce_columns<K, T>(x.data<T>(), y.data<T>(), outer, m, inner);
  };
  if (is_f32) go.template operator()<float>();
  else if constexpr (K != Kind::kMean) go.template operator()<int64_t>();
  return Status::ok();
}

// ---- ArgMax / ArgMin ----

template <bool Max, bool Last, typename T>
inline bool better(T v, T best) {
  if constexpr (Max) return Last ? v >= best : v > best;
  else return Last ? v <= best : v < best;
}

template <bool Max, bool Last, typename T>
void arg_typed(const T* x, int64_t* y, T* best, int64_t outer, int64_t n, int64_t inner) {
  parallel_for(
      outer,
      [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; ++o) {
          const T* base = x + o * n * inner;
          int64_t* yi = y + o * inner;
          if (inner == 1) {
            int64_t bi = 0;
            T bv = base[0];
            for (int64_t k = 1; k < n; ++k) {
              if (better<Max, Last>(base[k], bv)) {
                bv = base[k];
                bi = k;
              }
            }
            yi[0] = bi;
            continue;
          }
          T* bv = best + o * inner;
          for (int64_t j = 0; j < inner; ++j) {
            bv[j] = base[j];
            yi[j] = 0;
          }
          for (int64_t k = 1; k < n; ++k) {
            const T* row = base + k * inner;
            for (int64_t j = 0; j < inner; ++j) {
              const bool b = better<Max, Last>(row[j], bv[j]);
              bv[j] = b ? row[j] : bv[j];
              yi[j] = b ? k : yi[j];
            }
          }
        }
      },
      std::max<int64_t>(1, kParallelBytes / std::max<int64_t>(1, n * inner * static_cast<int64_t>(sizeof(T)))));
}

template <bool Max, KernelFn Ref>
Status arg_run(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if ((x.dtype() != DType::kFloat32 && x.dtype() != DType::kInt64) || x.numel() == 0) return Ref(ctx);
  const ir::Node& node = ctx.node();
  int64_t axis = node.attr_int("axis", 0);
  if (axis < -x.rank() || axis >= x.rank()) return Ref(ctx);
  if (axis < 0) axis += x.rank();
  const bool keepdims = node.attr_int("keepdims", 1) != 0;
  const bool last = node.attr_int("select_last_index", 0) != 0;
  Shape out_shape;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (i != axis) out_shape.push_back(x.dim(i));
    else if (keepdims) out_shape.push_back(1);
    if (i < axis) outer *= x.dim(i);
    if (i > axis) inner *= x.dim(i);
  }
  const int64_t n = x.dim(axis);
  Tensor& y = ctx.allocate_output_uninit(0, DType::kInt64, out_shape);
  auto go = [&]<typename T>() {
    T* best = inner > 1 ? static_cast<T*>(ctx.scratch(static_cast<size_t>(outer * inner) * sizeof(T))) : nullptr;
    if (last) arg_typed<Max, true, T>(x.data<T>(), y.data<int64_t>(), best, outer, n, inner);
    else arg_typed<Max, false, T>(x.data<T>(), y.data<int64_t>(), best, outer, n, inner);
  };
  if (x.dtype() == DType::kFloat32) go.template operator()<float>();
  else go.template operator()<int64_t>();
  return Status::ok();
}

Prepared prepare_with(const PrepareContext& pctx, KernelFn fn, bool int64_ok) {
  const bool ok = input_dtype_ok(pctx, 0, [&](DType t) { return t == DType::kFloat32 || (int64_ok && t == DType::kInt64); });
  if (!ok) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<FnKernel>(fn));
}

}  // namespace

float reduce_row_f32_scalar(RowOp op, const float* p, int64_t n) {
  switch (op) {
    case RowOp::kSum: return reduce_contiguous<Kind::kSum>(p, n);
    case RowOp::kMax: return reduce_contiguous<Kind::kMax>(p, n);
    case RowOp::kMin: break;
  }
  return reduce_contiguous<Kind::kMin>(p, n);
}

float reduce_row_f32(RowOp op, const float* p, int64_t n) {
  static const bool avx2 = cpu_isa() >= Isa::kAvx2;
  return avx2 ? reduce_row_f32_avx2(op, p, n) : reduce_row_f32_scalar(op, p, n);
}

Prepared prepare_reduce_sum(const PrepareContext& p) { return prepare_with(p, reduce_run<Kind::kSum, reference::reduce_sum>, true); }
Prepared prepare_reduce_mean(const PrepareContext& p) { return prepare_with(p, reduce_run<Kind::kMean, reference::reduce_mean>, false); }
Prepared prepare_reduce_max(const PrepareContext& p) { return prepare_with(p, reduce_run<Kind::kMax, reference::reduce_max>, true); }
Prepared prepare_reduce_min(const PrepareContext& p) { return prepare_with(p, reduce_run<Kind::kMin, reference::reduce_min>, true); }
Prepared prepare_arg_max(const PrepareContext& p) { return prepare_with(p, arg_run<true, reference::arg_max>, true); }
Prepared prepare_arg_min(const PrepareContext& p) { return prepare_with(p, arg_run<false, reference::arg_min>, true); }

}  // namespace kiln::cpu::tensor
