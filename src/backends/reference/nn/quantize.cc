// QuantizeLinear, DequantizeLinear (per-tensor and per-axis) and DynamicQuantizeLinear.
#include <algorithm>
#include <cmath>

#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/nn/quant_util.h"

namespace kiln::reference {

namespace {

// Maps element i of x to its index into a per-axis parameter (0 for a per-tensor one).
struct AxisIndexer {
  int64_t inner = 1, len = 1;
  bool per_axis = false;
  int64_t operator()(int64_t i) const { return per_axis ? (i / inner) % len : 0; }
};

// Validates scale (and zero point) against x: scalar / 1-element, or 1-D of x.shape[axis].
Expected<AxisIndexer> axis_indexer(KernelContext& ctx, const Tensor& x, const Tensor& scale, const Tensor* zp) {
  AxisIndexer ix;
  if (scale.numel() == 1 && scale.rank() <= 1) {
    if (zp && zp->numel() != 1) return ctx.error("zero point {} must be a scalar like the scale", zp->describe());
    return ix;
  }
  if (scale.rank() != 1) return ctx.error("scale {} must be a scalar or 1-D", scale.describe());
  KILN_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx.node().attr_int("axis", 1), x.rank()));
  if (scale.dim(0) != x.dim(axis)) {
    return ctx.error("scale has {} values, expected x.shape[{}] = {}", scale.dim(0), axis, x.dim(axis));
  }
  if (zp && zp->numel() != scale.numel()) return ctx.error("zero point {} must match scale {}", zp->describe(), scale.describe());
  ix.per_axis = true;
  ix.len = x.dim(axis);
  for (int64_t d = axis + 1; d < x.rank(); ++d) ix.inner *= x.dim(d);
  return ix;
}

}  // namespace

Status quantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  DType out = zp ? zp->dtype() : DType::kUInt8;
  if (!is_quant_dtype(out)) return ctx.unsupported_error("output dtype {} is not supported", dtype_name(out));
  if (x.dtype() == DType::kString || x.dtype() == DType::kBool) return ctx.error("x dtype {} is not numeric", dtype_name(x.dtype()));
  KILN_ASSIGN_OR_RETURN(AxisIndexer ix, axis_indexer(ctx, x, scale, zp));
  Tensor y(out, x.shape());
  bool single = x.dtype() == DType::kFloat32 || x.dtype() == DType::kFloat16 || x.dtype() == DType::kBFloat16;
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t a = ix(i);
    double s = scale.as_double(a);
    double q = single ? static_cast<double>(static_cast<float>(x.as_double(i)) / static_cast<float>(s)) : x.as_double(i) / s;
    double z = zp ? static_cast<double>(zp->as_int64(a)) : 0.0;
    double lo, hi;
    quant_range(out, &lo, &hi);
    double v = std::isnan(q) ? 0.0 : std::nearbyint(q) + z;
    store_int(y, i, std::clamp(v, lo, hi));
  }
  ctx.set_output(0, y);
  return Status::ok();
}

Status dequantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (!dtype_is_integer(x.dtype())) return ctx.unsupported_error("x dtype {} is not supported", dtype_name(x.dtype()));
  if (!dtype_is_float(scale.dtype())) return ctx.error("x_scale must be floating point, got {}", dtype_name(scale.dtype()));
  KILN_ASSIGN_OR_RETURN(AxisIndexer ix, axis_indexer(ctx, x, scale, zp));
  Tensor y(DType::kFloat32, x.shape());
  float* yp = y.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t a = ix(i);
    float z = zp ? static_cast<float>(zp->as_int64(a)) : 0.0f;
    yp[i] = (static_cast<float>(x.as_int64(i)) - z) * static_cast<float>(scale.as_double(a));
  }
  ctx.set_output(0, scale.dtype() == DType::kFloat32 ? y : cast_tensor(y, scale.dtype()));
  return Status::ok();
}

// uint8 quantization with scale and zero point computed from the data range (which always
// includes 0).
Status dynamic_quantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DType::kFloat32) return ctx.unsupported_error("x dtype {} is not supported (float32 only)", dtype_name(x.dtype()));
  const float* xp = x.data<float>();
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < x.numel(); ++i) {
    lo = std::min(lo, xp[i]);
    hi = std::max(hi, xp[i]);
  }
  float scale = (hi - lo) / 255.0f;
  double zp = 0.0;
  if (scale > 0.0f) zp = std::nearbyint(std::clamp(static_cast<double>(0.0f - lo / scale), 0.0, 255.0));
  Tensor y(DType::kUInt8, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    double q = scale > 0.0f ? std::nearbyint(static_cast<double>(xp[i] / scale)) + zp : zp;
    y.data<uint8_t>()[i] = static_cast<uint8_t>(std::clamp(q, 0.0, 255.0));
  }
  ctx.set_output(0, y);
  if (ctx.wants_output(1)) ctx.set_output(1, Tensor::scalar<float>(scale));
  if (ctx.wants_output(2)) ctx.set_output(2, Tensor::scalar<uint8_t>(static_cast<uint8_t>(zp)));
  return Status::ok();
}

}  // namespace kiln::reference
