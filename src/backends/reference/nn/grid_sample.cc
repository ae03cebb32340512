// GridSample (opset 16, 4-D input): bilinear / nearest / bicubic sampling at normalized grid
// positions with zeros / border / reflection padding, following PyTorch's grid_sampler_2d.
#include <algorithm>
#include <cmath>
#include <string>

#include "backends/reference/nn/nn_kernels.h"

namespace kiln::reference {

namespace {

struct Sampler {
  const double* plane = nullptr;
  int64_t h = 0, w = 0;
  bool align_corners = false;
  std::string padding;  // zeros | border | reflection

  // Normalized [-1, 1] coordinate to pixel coordinate along an axis of `size` pixels.
  double unnormalize(double v, int64_t size) const {
    double s = static_cast<double>(size);
    return align_corners ? (v + 1) / 2 * (s - 1) : ((v + 1) * s - 1) / 2;
  }

  // Reflects v into [twice_low/2, twice_high/2] by repeated mirroring.
  static double reflect(double v, double twice_low, double twice_high) {
    if (twice_low == twice_high) return 0;
    double lo = twice_low / 2, span = (twice_high - twice_low) / 2;
    v = std::fabs(v - lo);
    double extra = std::fmod(v, span);
    int64_t flips = static_cast<int64_t>(std::floor(v / span));
    return flips % 2 == 0 ? extra + lo : span - extra + lo;
  }

  // Applies the padding mode to a pixel coordinate (border clamps, reflection mirrors).
  double pad_coordinate(double v, int64_t size) const {
    double hi = static_cast<double>(size - 1);
    if (padding == "border") return std::clamp(v, 0.0, hi);
    if (padding == "reflection") {
      v = align_corners ? reflect(v, 0, 2 * hi) : reflect(v, -1, 2 * static_cast<double>(size) - 1);
      return std::clamp(v, 0.0, hi);
    }
    return v;
  }

  double at(int64_t y, int64_t x) const {
    if (y < 0 || y >= h || x < 0 || x >= w) return 0;
    return plane[y * w + x];
  }

  // Tap for bicubic: the padding applies to each tap position.
  double at_padded(int64_t y, int64_t x) const {
    double py = pad_coordinate(static_cast<double>(y), h), px = pad_coordinate(static_cast<double>(x), w);
    return at(static_cast<int64_t>(py), static_cast<int64_t>(px));
  }
};

void cubic_weights(double t, double* c) {
  const double a = -0.75;
  auto near = [&](double x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };
  auto far = [&](double x) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; };
  c[0] = far(t + 1);
  c[1] = near(t);
  c[2] = near(1 - t);
  c[3] = far(2 - t);
}

}  // namespace

Status grid_sample(KernelContext& ctx) {
  const Tensor& x0 = ctx.input(0);
  const Tensor& grid0 = ctx.input(1);
  if (!dtype_is_float(x0.dtype())) return ctx.unsupported_error("dtype {} is not supported", dtype_name(x0.dtype()));
  if (x0.rank() != 4) return ctx.unsupported_error("only 4-D X (N, C, H, W) is supported, got {}", x0.describe());
  if (grid0.rank() != 4 || grid0.dim(0) != x0.dim(0) || grid0.dim(3) != 2) {
    return ctx.error("grid must be [{}, H_out, W_out, 2], got {}", x0.dim(0), grid0.describe());
  }
  std::string mode = ctx.node().attr_string("mode", "bilinear");
  if (mode == "linear") mode = "bilinear";
  if (mode == "cubic") mode = "bicubic";
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic") return ctx.error("unknown mode '{}'", mode);
  Sampler s;
  s.padding = ctx.node().attr_string("padding_mode", "zeros");
  if (s.padding != "zeros" && s.padding != "border" && s.padding != "reflection") {
    return ctx.error("unknown padding_mode '{}'", s.padding);
  }
  s.align_corners = ctx.node().attr_int("align_corners", 0) != 0;
  Tensor x = cast_tensor(x0, DType::kFloat64);
  Tensor grid = cast_tensor(grid0, DType::kFloat64);
  int64_t n = x0.dim(0), c = x0.dim(1), oh = grid0.dim(1), ow = grid0.dim(2);
  s.h = x0.dim(2);
  s.w = x0.dim(3);
  Tensor y(DType::kFloat64, {n, c, oh, ow});
  double* yp = y.data<double>();
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t ch = 0; ch < c; ++ch) {
      s.plane = x.data<double>() + (b * c + ch) * s.h * s.w;
      for (int64_t i = 0; i < oh; ++i) {
        for (int64_t j = 0; j < ow; ++j) {
          const double* g = grid.data<double>() + ((b * oh + i) * ow + j) * 2;
          double gx = s.unnormalize(g[0], s.w), gy = s.unnormalize(g[1], s.h);
          double v = 0;
          if (mode == "bicubic") {
            double fx = std::floor(gx), fy = std::floor(gy);
            double cx[4], cy[4];
            cubic_weights(gx - fx, cx);
            cubic_weights(gy - fy, cy);
            for (int a = 0; a < 4; ++a) {
              double row = 0;
              for (int k = 0; k < 4; ++k) {
                row += cx[k] * s.at_padded(static_cast<int64_t>(fy) - 1 + a, static_cast<int64_t>(fx) - 1 + k);
              }
              v += cy[a] * row;
            }
          } else {
            gx = s.pad_coordinate(gx, s.w);
            gy = s.pad_coordinate(gy, s.h);
            if (mode == "nearest") {
              v = s.at(static_cast<int64_t>(std::nearbyint(gy)), static_cast<int64_t>(std::nearbyint(gx)));
            } else {
              double fx = std::floor(gx), fy = std::floor(gy);
              double tx = gx - fx, ty = gy - fy;
              int64_t x1 = static_cast<int64_t>(fx), y1 = static_cast<int64_t>(fy);
              v = s.at(y1, x1) * (1 - tx) * (1 - ty) + s.at(y1, x1 + 1) * tx * (1 - ty) +
                  s.at(y1 + 1, x1) * (1 - tx) * ty + s.at(y1 + 1, x1 + 1) * tx * ty;
            }
          }
          yp[((b * c + ch) * oh + i) * ow + j] = v;
        }
      }
    }
  }
  ctx.set_output(0, cast_tensor(y, x0.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
