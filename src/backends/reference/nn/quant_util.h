// Helpers shared by the quantized kernels (QuantizeLinear, QLinearConv, QLinearMatMul, ...).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/tensor.h"

namespace kiln::reference {

inline bool is_quant_dtype(DType t) {
  return t == DType::kUInt8 || t == DType::kInt8 || t == DType::kInt16 || t == DType::kUInt16 ||
         t == DType::kInt32;
}

// Range of a quantized integer dtype.
inline void quant_range(DType t, double* lo, double* hi) {
  switch (t) {
    case DType::kInt8: *lo = -128; *hi = 127; break;
    case DType::kUInt16: *lo = 0; *hi = 65535; break;
    case DType::kInt16: *lo = -32768; *hi = 32767; break;
    case DType::kInt32: *lo = -2147483648.0; *hi = 2147483647.0; break;
    default: *lo = 0; *hi = 255; break;
  }
}

// Rounds half to even (the default floating-point rounding mode) and saturates to t's range.
inline double round_saturate(double v, DType t) {
  double lo, hi;
  quant_range(t, &lo, &hi);
  if (std::isnan(v)) return 0;
  v = std::nearbyint(v);
  return v < lo ? lo : v > hi ? hi : v;
}

// Stores an already rounded, saturated value into element i of an integer tensor.
inline void store_int(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DType::kInt8: t.data<int8_t>()[i] = static_cast<int8_t>(v); break;
    case DType::kUInt8: t.data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
    case DType::kInt16: t.data<int16_t>()[i] = static_cast<int16_t>(v); break;
    case DType::kUInt16: t.data<uint16_t>()[i] = static_cast<uint16_t>(v); break;
    case DType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(v); break;
    default: break;
  }
}

// An integer tensor minus a zero point (scalar, or 1-D per index along `axis` of t), as int32.
// Returns an invalid tensor when the zero point's size does not fit.
inline Tensor subtract_zero_point(const Tensor& t, const Tensor* zp, int64_t axis) {
  Tensor out(DType::kInt32, t.shape());
  int32_t* o = out.data<int32_t>();
  int64_t n = t.numel();
  if (!zp || zp->numel() <= 1) {
    int64_t z = zp && zp->numel() == 1 ? zp->as_int64(0) : 0;
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<int32_t>(t.as_int64(i) - z);
    return out;
  }
  if (axis < 0 || axis >= t.rank() || zp->numel() != t.dim(axis)) return Tensor();
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < t.rank(); ++d) inner *= t.dim(d);
  int64_t len = t.dim(axis);
  for (int64_t i = 0; i < n; ++i) o[i] = static_cast<int32_t>(t.as_int64(i) - zp->as_int64((i / inner) % len));
  return out;
}

}  // namespace kiln::reference
