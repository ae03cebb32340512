// Helpers shared by the reduction family's reference kernels.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "backends/kernel.h"
#include "core/tensor.h"

namespace kiln::reference {

// Stores a value computed in double into element type T (float16/bfloat16 round via float).
template <typename T>
T from_double(double v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

template <typename T>
double to_double(T v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

// A tensor viewed as [outer, n, inner] around `axis` (n = dim(axis)).
struct AxisSplit {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
};

inline AxisSplit split_at_axis(const Shape& shape, int64_t axis) {
  AxisSplit s;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    const int64_t d = shape[static_cast<size_t>(i)];
    if (i < axis) s.outer *= d;
    else if (i == axis) s.n = d;
    else s.inner *= d;
  }
  return s;
}

// Every element of `t` as double (any numeric dtype), for kernels that compute in double.
inline std::vector<double> to_doubles(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.as_double(i);
  return v;
}

// Allocates float output `output` and stores `v` into it, rounded to `dtype`.
inline Status store_doubles(KernelContext& ctx, size_t output, DType dtype, const Shape& shape,
                            const std::vector<double>& v) {
  Tensor& t = ctx.allocate_output(output, dtype, shape);
  const bool handled = KILN_DISPATCH_FLOAT(dtype, T, {
    T* p = t.data<T>();
    for (size_t i = 0; i < v.size(); ++i) p[i] = from_double<T>(v[i]);
  });
  if (!handled) return ctx.error("output {} dtype {} is not supported (expected a float type)", output, dtype_name(dtype));
  return Status::ok();
}

}  // namespace kiln::reference
