// Resize (opset 10..19 without antialias/axes/tf_crop_and_resize) and kiln.NhwcResize on 4-D
// float32, resizing H and W only (N and C kept). Per-axis taps (input index + weight, computed in
// double exactly as the reference kernel does) live in scratch memory; then
//   nearest: a gather per row (x2 upsampling: pairs), NHWC copies C-vectors, equal source rows
//            are memcpy'd from the previous output row;
//   linear/cubic: sum over h-taps x w-taps per output, vectorized over W (NCHW) or C (NHWC).
#include <cmath>
#include <string>

#include "backends/cpu/tensor/tensor_ops.h"
#include "backends/cpu/tensor/tensor_util.h"
#include "backends/reference/kiln/kiln_kernels.h"
#include "backends/reference/nn/nn_kernels.h"
#include "core/parallel.h"
#include "ops/nn/resize_target.h"

namespace kiln::cpu::tensor {

namespace {

enum class Mode { kNearest, kLinear, kCubic };
enum class Coord { kHalfPixel, kAlignCorners, kAsymmetric, kPytorchHalfPixel, kTfHalfPixelForNn, kHalfPixelSymmetric };
enum class Nearest { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct Options {
  Mode mode = Mode::kNearest;
  Coord coord = Coord::kHalfPixel;
  Nearest nearest = Nearest::kRoundPreferFloor;
  bool legacy = false;  // Resize-10: asymmetric, nearest rounds down upsampling / up downsampling
  double cubic_a = -0.75;
  bool exclude_outside = false;
};

double original_coordinate(const Options& o, double x, double scale, int64_t in, int64_t out) {
  const double length_resized = scale * static_cast<double>(in);
  switch (o.coord) {
    case Coord::kAlignCorners:
      return length_resized == 1 ? 0.0 : x * static_cast<double>(in - 1) / (length_resized - 1);
    case Coord::kAsymmetric: return x / scale;
    case Coord::kPytorchHalfPixel: return length_resized == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case Coord::kTfHalfPixelForNn: return (x + 0.5) / scale;
    case Coord::kHalfPixelSymmetric: {
      const double adj = static_cast<double>(out) / length_resized;
      const double center = static_cast<double>(in) / 2;
      return center * (1 - adj) + (x + 0.5) / scale - 0.5;
    }
    case Coord::kHalfPixel: break;
  }
  return (x + 0.5) / scale - 0.5;
}

// Taps of one axis: `count` (1 for nearest, 2 linear, 4 cubic) indices and weights per output.
struct Taps {
  int count = 1;
  int64_t* index = nullptr;
  float* weight = nullptr;
};

void make_taps(const Options& o, Nearest nearest, double scale, int64_t in, int64_t out, bool identity, Taps& t) {
  for (int64_t x = 0; x < out; ++x) {
    int64_t* idx = t.index + x * t.count;
    float* wt = t.weight + x * t.count;
    if (identity) {
      for (int k = 0; k < t.count; ++k) {
        idx[k] = x;
        wt[k] = k == 0 ? 1.0f : 0.0f;
      }
      continue;
    }
    const double xo = original_coordinate(o, static_cast<double>(x), scale, in, out);
    // As the reference: an integral coordinate shifts the taps left by one with ratio 1.
    const double fl = std::floor(xo);
    double ratio = xo - fl;
    int64_t base = static_cast<int64_t>(fl);
    if (ratio == 0) {
      ratio = 1;
      base -= 1;
    }
    auto clamp = [&](int64_t i) { return i < 0 ? 0 : i >= in ? in - 1 : i; };
    if (o.mode == Mode::kNearest) {
      bool up;
      if (ratio == 1) up = true;
      else if (nearest == Nearest::kRoundPreferCeil) up = ratio >= 0.5;
      else if (nearest == Nearest::kFloor) up = false;
      else if (nearest == Nearest::kCeil) up = true;
      else up = ratio > 0.5;
      idx[0] = clamp(up ? base + 1 : base);
      wt[0] = 1.0f;
      continue;
    }
    double w[4];
    int64_t first = base;
    if (o.mode == Mode::kLinear) {
      w[0] = 1 - ratio;
      w[1] = ratio;
    } else {
      first = base - 1;
      const double r = ratio, a = o.cubic_a;
      w[0] = ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a;
      w[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
      w[2] = ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1;
      w[3] = ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a;
    }
    double sum = 0;
    for (int k = 0; k < t.count; ++k) {
      const int64_t i = first + k;
      if (o.exclude_outside && (i < 0 || i >= in)) w[k] = 0;
      sum += w[k];
      idx[k] = clamp(i);
    }
    for (int k = 0; k < t.count; ++k) wt[k] = static_cast<float>(o.exclude_outside && sum != 0 ? w[k] / sum : w[k]);
  }
}

// ---- nearest ----

void nearest_row_nchw(const float* src, const int64_t* iw, int64_t ow, float* dst) {
  for (int64_t j = 0; j < ow; ++j) dst[j] = src[iw[j]];
}

void nearest_nchw(const float* x, float* y, int64_t planes, int64_t ih, int64_t iw, int64_t oh, int64_t ow,
                  const Taps& th, const Taps& tw) {
  // Exact 2x (floor-style) column map: dst pairs from one source (the PP-OCR FPN upsample).
  bool twice = ow == 2 * iw;
  for (int64_t j = 0; twice && j < ow; ++j) twice = tw.index[j] == j / 2;
  parallel_for(
      planes * oh,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t p = r / oh, h = r % oh;
          float* dst = y + r * ow;
          if (r > r0 && h > 0 && th.index[h] == th.index[h - 1]) {
            std::memcpy(dst, dst - ow, static_cast<size_t>(ow) * sizeof(float));
            continue;
          }
          const float* src = x + (p * ih + th.index[h]) * iw;
          if (twice) {
            for (int64_t j = 0; j < iw; ++j) dst[2 * j] = dst[2 * j + 1] = src[j];
          } else {
            nearest_row_nchw(src, tw.index, ow, dst);
          }
        }
      },
      std::max<int64_t>(1, kParallelBytes / (ow * 4)));
}

void nearest_nhwc(const float* x, float* y, int64_t n, int64_t ih, int64_t iw, int64_t c, int64_t oh, int64_t ow,
                  const Taps& th, const Taps& tw) {
  const int64_t orow = ow * c;
  const size_t cb = static_cast<size_t>(c) * sizeof(float);
  parallel_for(
      n * oh,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t b = r / oh, h = r % oh;
          float* dst = y + r * orow;
          if (r > r0 && h > 0 && th.index[h] == th.index[h - 1]) {
            std::memcpy(dst, dst - orow, static_cast<size_t>(orow) * sizeof(float));
            continue;
          }
          const float* src = x + (b * ih + th.index[h]) * iw * c;
          for (int64_t j = 0; j < ow; ++j) std::memcpy(dst + j * c, src + tw.index[j] * c, cb);
        }
      },
      std::max<int64_t>(1, kParallelBytes / (orow * 4)));
}

// ---- linear / cubic ----

void interp_nchw(const float* x, float* y, int64_t planes, int64_t ih, int64_t iw, int64_t oh, int64_t ow,
                 const Taps& th, const Taps& tw) {
  parallel_for(
      planes * oh,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t p = r / oh, h = r % oh;
          float* dst = y + r * ow;
          for (int64_t j = 0; j < ow; ++j) {
            const int64_t* wi = tw.index + j * tw.count;
            const float* ww = tw.weight + j * tw.count;
            float acc = 0;
            for (int a = 0; a < th.count; ++a) {
              const float* src = x + (p * ih + th.index[h * th.count + a]) * iw;
              float s = 0;
              for (int b = 0; b < tw.count; ++b) s += ww[b] * src[wi[b]];
              acc += th.weight[h * th.count + a] * s;
            }
            dst[j] = acc;
          }
        }
      },
      std::max<int64_t>(1, kParallelBytes / (ow * 16)));
}

void interp_nhwc(const float* x, float* y, int64_t n, int64_t ih, int64_t iw, int64_t c, int64_t oh, int64_t ow,
                 const Taps& th, const Taps& tw) {
  parallel_for(
      n * oh,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t b = r / oh, h = r % oh;
          for (int64_t j = 0; j < ow; ++j) {
            float* dst = y + (r * ow + j) * c;
            for (int64_t k = 0; k < c; ++k) dst[k] = 0;
            for (int a = 0; a < th.count; ++a) {
              const float wa = th.weight[h * th.count + a];
              const float* row = x + (b * ih + th.index[h * th.count + a]) * iw * c;
              for (int t = 0; t < tw.count; ++t) {
                const float w = wa * tw.weight[j * tw.count + t];
                if (w == 0) continue;
                const float* src = row + tw.index[j * tw.count + t] * c;
                for (int64_t k = 0; k < c; ++k) dst[k] += w * src[k];
              }
            }
          }
        }
      },
      std::max<int64_t>(1, kParallelBytes / (ow * c * 16)));
}

class ResizeKernel : public OpKernel {
 public:
  ResizeKernel(Options o, bool nhwc) : o_(o), nhwc_(nhwc) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() != 4) return fallback(ctx);
    const ir::Node& node = ctx.node();
    // NCHW view of the input shape (scales and sizes are given in NCHW order).
    const int64_t n = x.dim(0), c = nhwc_ ? x.dim(3) : x.dim(1);
    const int64_t ih = nhwc_ ? x.dim(1) : x.dim(2), iw = nhwc_ ? x.dim(2) : x.dim(3);
    const int si = resize_scales_input(node), zi = resize_sizes_input(node);
    auto in_at = [&](int i) -> const Tensor* {
      return i >= 0 && ctx.has_input(static_cast<size_t>(i)) ? &ctx.input(static_cast<size_t>(i)) : nullptr;
    };
    auto target = resize_target(node, {n, c, ih, iw}, in_at(si), in_at(zi));
    if (!target) return fallback(ctx);  // the reference kernel reports the error
    if (target->out[0] != n || target->out[1] != c || target->scales[0] != 1.0 || target->scales[1] != 1.0) {
      return fallback(ctx);
    }
    const int64_t oh = target->out[2], ow = target->out[3];
    if ((ih == 0 && oh > 0) || (iw == 0 && ow > 0)) return fallback(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, nhwc_ ? Shape{n, oh, ow, c} : Shape{n, c, oh, ow});
    if (y.numel() == 0) return Status::ok();
    const int count = o_.mode == Mode::kNearest ? 1 : o_.mode == Mode::kLinear ? 2 : 4;
    const size_t taps = static_cast<size_t>((oh + ow) * count);
    char* mem = static_cast<char*>(ctx.scratch(taps * (sizeof(int64_t) + sizeof(float))));
    Taps th{count, reinterpret_cast<int64_t*>(mem), nullptr};
    Taps tw{count, th.index + oh * count, nullptr};
    th.weight = reinterpret_cast<float*>(mem + taps * sizeof(int64_t));
    tw.weight = th.weight + oh * count;
    const double sh = target->scales[2], sw = target->scales[3];
    auto nearest_for = [&](double s) { return o_.legacy ? (s < 1.0 ? Nearest::kCeil : Nearest::kFloor) : o_.nearest; };
    make_taps(o_, nearest_for(sh), sh, ih, oh, ih == oh && sh == 1.0, th);
    make_taps(o_, nearest_for(sw), sw, iw, ow, iw == ow && sw == 1.0, tw);
    const float* px = x.data<float>();
    float* py = y.data<float>();
    if (o_.mode == Mode::kNearest) {
      if (nhwc_) nearest_nhwc(px, py, n, ih, iw, c, oh, ow, th, tw);
      else nearest_nchw(px, py, n * c, ih, iw, oh, ow, th, tw);
    } else {
      if (nhwc_) interp_nhwc(px, py, n, ih, iw, c, oh, ow, th, tw);
      else interp_nchw(px, py, n * c, ih, iw, oh, ow, th, tw);
    }
    return Status::ok();
  }

 private:
  Status fallback(KernelContext& ctx) const {
    return nhwc_ ? reference::channels_last_op(ctx) : reference::resize(ctx);
  }

  Options o_;
  bool nhwc_;
};

Prepared prepare_any(const PrepareContext& pctx, bool nhwc) {
  const ir::Node& node = pctx.node;
  auto decline = [] { return Prepared(std::unique_ptr<OpKernel>()); };
  if (!input_dtype_ok(pctx, 0, [](DType t) { return t == DType::kFloat32; })) return decline();
  const ir::TypeInfo* t = pctx.input_type(0);
  if (t && t->has_rank() && t->rank() != 4) return decline();
  if (node.attr_int("antialias", 0) != 0 || node.has_attr("axes")) return decline();
  Options o;
  const std::string mode = node.attr_string("mode", "nearest");
  if (mode == "nearest") o.mode = Mode::kNearest;
  else if (mode == "linear" || mode == "bilinear") o.mode = Mode::kLinear;
  else if (mode == "cubic") o.mode = Mode::kCubic;
  else return decline();
  o.legacy = node.opset < 11;
  if (o.legacy) {
    o.coord = Coord::kAsymmetric;
  } else {
    const std::string coord = node.attr_string("coordinate_transformation_mode", "half_pixel");
    if (coord == "half_pixel") o.coord = Coord::kHalfPixel;
    else if (coord == "align_corners") o.coord = Coord::kAlignCorners;
    else if (coord == "asymmetric") o.coord = Coord::kAsymmetric;
    else if (coord == "pytorch_half_pixel") o.coord = Coord::kPytorchHalfPixel;
    else if (coord == "tf_half_pixel_for_nn") o.coord = Coord::kTfHalfPixelForNn;
    else if (coord == "half_pixel_symmetric") o.coord = Coord::kHalfPixelSymmetric;
    else return decline();  // tf_crop_and_resize (roi, extrapolation) stays with the reference
    const std::string nm = node.attr_string("nearest_mode", "round_prefer_floor");
    if (nm == "round_prefer_floor") o.nearest = Nearest::kRoundPreferFloor;
    else if (nm == "round_prefer_ceil") o.nearest = Nearest::kRoundPreferCeil;
    else if (nm == "floor") o.nearest = Nearest::kFloor;
    else if (nm == "ceil") o.nearest = Nearest::kCeil;
    else if (o.mode == Mode::kNearest) return decline();
    o.cubic_a = node.attr_float("cubic_coeff_a", -0.75f);
    o.exclude_outside = node.attr_int("exclude_outside", 0) != 0;
    // exclude_outside can zero every nearest tap; keep that corner with the reference.
    if (o.exclude_outside && o.mode == Mode::kNearest) return decline();
  }
  return std::unique_ptr<OpKernel>(std::make_unique<ResizeKernel>(o, nhwc));
}

}  // namespace

Prepared prepare_resize(const PrepareContext& pctx) { return prepare_any(pctx, false); }
Prepared prepare_nhwc_resize(const PrepareContext& pctx) { return prepare_any(pctx, true); }

}  // namespace kiln::cpu::tensor
