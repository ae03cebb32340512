// Helpers shared by the elementwise reference kernels: the arithmetic type an element is computed
// in, and loops over (possibly broadcast) inputs.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "backends/kernel.h"
#include "backends/reference/util.h"
#include "core/tensor.h"

namespace kiln::reference {

template <typename T>
inline constexpr bool is_half_v = std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;

template <typename T>
inline constexpr bool is_float_v = std::is_floating_point_v<T> || is_half_v<T>;

// float16/bfloat16 are computed in float and rounded on store; every other type as itself.
template <typename T>
using compute_t = std::conditional_t<is_half_v<T>, float, T>;

template <typename T, typename C>
inline T store(C v) {
  if constexpr (is_half_v<T>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// Integer arithmetic that wraps modulo 2^bits (like numpy) instead of overflowing (undefined).
template <typename T>
inline T wrap_add(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
template <typename T>
inline T wrap_sub(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
template <typename T>
inline T wrap_mul(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
template <typename T>
inline T wrap_neg(T a) {
  return static_cast<T>(uint64_t{0} - static_cast<uint64_t>(a));
}

// double -> integer T without undefined behavior: truncates toward zero, clamps to T's range,
// NaN gives 0.
template <typename T>
inline T saturate_cast(double v) {
  static_assert(std::is_integral_v<T>);
  if (std::isnan(v)) return T(0);
  if (v <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  // max() rounds up to a power of two as a double for 64-bit types, so compare with >=.
  if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

// Input B of a binary op as it broadcasts against A: with trailing 1-dims added when an opset < 7
// node aligns B at A's `axis` (legacy broadcast attributes); otherwise B itself.
Expected<Tensor> legacy_aligned_b(const KernelContext& ctx, const Tensor& a, const Tensor& b);

// Output shape of broadcasting a and b; error names both shapes.
Expected<Shape> broadcast_pair(const KernelContext& ctx, const Shape& a, const Shape& b);

// Calls f(i, ia, ib) for each output element i of `out` with the element offsets that
// broadcasting maps into a and b. Same-shape and scalar operands take a flat loop.
template <typename F>
void for_each_broadcast(const Shape& out, const Shape& a, const Shape& b, F&& f) {
  const int64_t n = shape_numel(out);
  const int64_t na = shape_numel(a), nb = shape_numel(b);
  if (na == n && nb == n && a == b) {
    for (int64_t i = 0; i < n; ++i) f(i, i, i);
  } else if (na == n && a.size() == out.size() && nb == 1) {
    for (int64_t i = 0; i < n; ++i) f(i, i, int64_t{0});
  } else if (nb == n && b.size() == out.size() && na == 1) {
    for (int64_t i = 0; i < n; ++i) f(i, int64_t{0}, i);
  } else if (n > 0) {
    // Walk the outer dims; the innermost dim is a contiguous run (stride 1) or broadcast (0).
    const int64_t inner = out.back();
    const int64_t a_last = a.empty() ? 1 : a.back();
    const int64_t b_last = b.empty() ? 1 : b.back();
    const Shape out_outer(out.begin(), out.end() - 1);
    const Shape a_outer = a.empty() ? Shape{} : Shape(a.begin(), a.end() - 1);
    const Shape b_outer = b.empty() ? Shape{} : Shape(b.begin(), b.end() - 1);
    const int64_t sa = a_last == 1 ? 0 : 1, sb = b_last == 1 ? 0 : 1;
    BroadcastWalker w(out_outer, {&a_outer, &b_outer});
    for (int64_t base = 0; base < n; base += inner, w.next()) {
      const int64_t ia = w.offset(0) * a_last, ib = w.offset(1) * b_last;
      for (int64_t j = 0; j < inner; ++j) f(base + j, ia + j * sa, ib + j * sb);
    }
  }
}

// y[i] = f(x[i]) for the float dtypes; f receives float (double for float64). Other dtypes are
// reported as unsupported, naming the node.
template <typename F>
Status map_float(KernelContext& ctx, F f) {
  const Tensor& x = ctx.input(0);
  if (!dtype_is_float(x.dtype())) {
    return ctx.unsupported_error("input dtype {} is not supported (float types only)", dtype_name(x.dtype()));
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  const int64_t n = x.numel();
  KILN_DISPATCH_FLOAT(x.dtype(), T, {
    using C = compute_t<T>;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < n; ++i) py[i] = store<T>(f(static_cast<C>(px[i])));
  });
  return Status::ok();
}

}  // namespace kiln::reference
