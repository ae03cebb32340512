// Resize (opsets 10..18 semantics without antialias/axes) and Upsample: separable
// interpolation, one axis at a time from the last axis to the first, computed in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "backends/reference/nn/nn_kernels.h"
#include "ops/nn/resize_target.h"

namespace kiln::reference {

namespace {

struct ResizeOptions {
  std::string mode = "nearest";        // nearest | linear | cubic
  std::string coord = "half_pixel";    // coordinate_transformation_mode
  std::string nearest_mode = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0.0;
};

// The taps of one output position along one axis: input indices (already clamped) and weights;
// `outside` means the position maps outside the input (tf_crop_and_resize extrapolation).
struct Taps {
  int64_t index[4];
  double weight[4];
  int count = 0;
  bool outside = false;
};

// Maps output coordinate x to the input coordinate along one axis.
double original_coordinate(const ResizeOptions& o, double x, double scale, int64_t in, int64_t out,
                           double roi_start, double roi_end) {
  double length_resized = scale * static_cast<double>(in);
  const std::string& c = o.coord;
  if (c == "align_corners") return length_resized == 1 ? 0.0 : x * static_cast<double>(in - 1) / (length_resized - 1);
  if (c == "asymmetric") return x / scale;
  if (c == "tf_crop_and_resize") {
    double span = (roi_end - roi_start) * static_cast<double>(in - 1);
    double v = length_resized == 1 ? span / 2 : x * span / (length_resized - 1);
    return v + roi_start * static_cast<double>(in - 1);
  }
  if (c == "pytorch_half_pixel") return length_resized == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (c == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (c == "half_pixel_symmetric") {
    double adj = static_cast<double>(out) / length_resized;
    double center = static_cast<double>(in) / 2;
    double offset = center * (1 - adj);
    return offset + (x + 0.5) / scale - 0.5;
  }
  return (x + 0.5) / scale - 0.5;  // half_pixel
}

void cubic_coeffs(double r, double a, double* c) {
  c[0] = ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a;
  c[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
  c[2] = ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1;
  c[3] = ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a;
}

Taps make_taps(const ResizeOptions& o, int64_t x, double scale, int64_t in, int64_t out,
               double roi_start, double roi_end) {
  Taps t;
  double xo = original_coordinate(o, static_cast<double>(x), scale, in, out, roi_start, roi_end);
  if (o.coord == "tf_crop_and_resize" && (xo < 0 || xo > static_cast<double>(in - 1))) {
    t.outside = true;
    return t;
  }
  // Neighbors as in the ONNX reference: for an integral coordinate the tap set is shifted left
  // by one with ratio 1, so the coordinate itself gets the full weight.
  double fl = std::floor(xo);
  double ratio = xo - fl;
  int64_t base = static_cast<int64_t>(fl);
  if (ratio == 0) {
    ratio = 1;
    base -= 1;
  }
  double w[4];
  int64_t first;
  if (o.mode == "nearest") {
    t.count = 2;
    first = base;
    bool up;
    if (ratio == 1) up = true;
    else if (o.nearest_mode == "round_prefer_ceil") up = ratio >= 0.5;
    else if (o.nearest_mode == "floor") up = false;
    else if (o.nearest_mode == "ceil") up = true;
    else up = ratio > 0.5;  // round_prefer_floor
    w[0] = up ? 0 : 1;
    w[1] = up ? 1 : 0;
  } else if (o.mode == "linear") {
    t.count = 2;
    first = base;
    w[0] = 1 - ratio;
    w[1] = ratio;
  } else {
    t.count = 4;
    first = base - 1;
    cubic_coeffs(ratio, o.cubic_a, w);
  }
  double sum = 0;
  for (int i = 0; i < t.count; ++i) {
    int64_t idx = first + i;
    bool inside = idx >= 0 && idx < in;
    if (o.exclude_outside && !inside) w[i] = 0;
    sum += w[i];
    t.index[i] = idx < 0 ? 0 : idx >= in ? in - 1 : idx;  // edge padding
  }
  for (int i = 0; i < t.count; ++i) t.weight[i] = o.exclude_outside && sum != 0 ? w[i] / sum : w[i];
  return t;
}

}  // namespace

Status resize(KernelContext& ctx) {
  const ir::Node& node = ctx.node();
  const Tensor& x0 = ctx.input(0);
  if (x0.dtype() == DType::kString || x0.dtype() == DType::kBool) {
    return ctx.unsupported_error("dtype {} is not supported", dtype_name(x0.dtype()));
  }
  ResizeOptions o;
  o.mode = node.attr_string("mode", "nearest");
  if (o.mode == "bilinear" || o.mode == "trilinear") o.mode = "linear";  // Upsample-7 spellings
  if (o.mode != "nearest" && o.mode != "linear" && o.mode != "cubic") return ctx.error("unknown mode '{}'", o.mode);
  // Upsample and Resize-10 use asymmetric coordinates; their nearest mode rounds down when
  // upsampling and up when downsampling (as onnxruntime does), set per axis below.
  bool legacy = node.op_type == "Upsample" || node.opset < 11;
  if (legacy) {
    o.coord = "asymmetric";
  } else {
    o.coord = node.attr_string("coordinate_transformation_mode", "half_pixel");
    o.nearest_mode = node.attr_string("nearest_mode", "round_prefer_floor");
    o.cubic_a = node.attr_float("cubic_coeff_a", -0.75f);
    o.exclude_outside = node.attr_int("exclude_outside", 0) != 0;
    o.extrapolation = node.attr_float("extrapolation_value", 0.0f);
  }
  if (node.attr_int("antialias", 0) != 0) return ctx.unsupported_error("antialias is not supported");
  if (node.has_attr("axes")) return ctx.unsupported_error("the axes attribute is not supported");

  int si = resize_scales_input(node), zi = resize_sizes_input(node);
  const Tensor* scales = si >= 0 && ctx.has_input(static_cast<size_t>(si)) ? &ctx.input(static_cast<size_t>(si)) : nullptr;
  const Tensor* sizes = zi >= 0 && ctx.has_input(static_cast<size_t>(zi)) ? &ctx.input(static_cast<size_t>(zi)) : nullptr;
  KILN_ASSIGN_OR_RETURN(ResizeTarget target, resize_target(node, x0.shape(), scales, sizes));
  size_t rank = x0.shape().size();
  std::vector<double> roi(2 * rank, 0.0);
  for (size_t d = 0; d < rank; ++d) roi[rank + d] = 1.0;
  if (o.coord == "tf_crop_and_resize") {
    if (!ctx.has_input(1) || ctx.input(1).numel() != static_cast<int64_t>(2 * rank)) {
      return ctx.error("tf_crop_and_resize needs roi with {} values", 2 * rank);
    }
    for (size_t i = 0; i < 2 * rank; ++i) roi[i] = ctx.input(1).as_double(static_cast<int64_t>(i));
  }

  Tensor cur = cast_tensor(x0, DType::kFloat64);
  for (size_t d = rank; d-- > 0;) {
    int64_t in = cur.dim(static_cast<int64_t>(d)), out = target.out[d];
    bool identity = in == out && target.scales[d] == 1.0 && o.coord != "tf_crop_and_resize";
    if (identity) continue;
    if (in == 0 && out > 0) return ctx.error("cannot resize an empty axis {} to {}", d, out);
    if (legacy) o.nearest_mode = target.scales[d] < 1.0 ? "ceil" : "floor";
    std::vector<Taps> taps(static_cast<size_t>(out));
    for (int64_t i = 0; i < out; ++i) {
      taps[static_cast<size_t>(i)] = make_taps(o, i, target.scales[d], in, out, roi[d], roi[rank + d]);
    }
    Shape next_shape = cur.shape();
    next_shape[d] = out;
    Tensor next(DType::kFloat64, next_shape);
    int64_t outer = 1, inner = 1;
    for (size_t k = 0; k < d; ++k) outer *= next_shape[k];
    for (size_t k = d + 1; k < rank; ++k) inner *= next_shape[k];
    const double* src = cur.data<double>();
    double* dst = next.data<double>();
    for (int64_t a = 0; a < outer; ++a) {
      for (int64_t i = 0; i < out; ++i) {
        const Taps& t = taps[static_cast<size_t>(i)];
        double* row = dst + (a * out + i) * inner;
        if (t.outside) {
          for (int64_t j = 0; j < inner; ++j) row[j] = o.extrapolation;
          continue;
        }
        for (int k = 0; k < t.count; ++k) {
          if (t.weight[k] == 0) continue;
          const double* s = src + (a * in + t.index[k]) * inner;
          for (int64_t j = 0; j < inner; ++j) row[j] += t.weight[k] * s[j];
        }
      }
    }
    cur = next;
  }
  if (dtype_is_integer(x0.dtype())) {
    // Integer outputs: clamp to the dtype's range (cubic can overshoot), then convert with
    // truncation as the ONNX reference does.
    double lo = 0, hi = 0;
    KILN_DISPATCH_INT(x0.dtype(), T, {
      lo = static_cast<double>(std::numeric_limits<T>::lowest());
      hi = static_cast<double>(std::numeric_limits<T>::max());
    });
    double* p = cur.data<double>();
    for (int64_t i = 0; i < cur.numel(); ++i) p[i] = std::clamp(std::trunc(p[i]), lo, hi);
  }
  ctx.set_output(0, cast_tensor(cur, x0.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
