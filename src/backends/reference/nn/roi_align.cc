// RoiAlign (opset 10 and 16): average or max of bilinear samples over each ROI bin.
#include <algorithm>
#include <cmath>
#include <string>

#include "backends/reference/nn/nn_kernels.h"

namespace kiln::reference {

namespace {

// Bilinear sample of one H x W plane at (y, x) with the weights split out, as the max mode
// takes the maximum weighted corner rather than their sum.
struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
};

Sample bilinear_sample(double y, double x, int64_t h, int64_t w) {
  Sample s;
  if (y < -1.0 || y > static_cast<double>(h) || x < -1.0 || x > static_cast<double>(w)) return s;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y_low = static_cast<int64_t>(y), x_low = static_cast<int64_t>(x), y_high, x_high;
  if (y_low >= h - 1) {
    y_high = y_low = h - 1;
    y = static_cast<double>(y_low);
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= w - 1) {
    x_high = x_low = w - 1;
    x = static_cast<double>(x_low);
  } else {
    x_high = x_low + 1;
  }
  double ly = y - static_cast<double>(y_low), lx = x - static_cast<double>(x_low);
  double hy = 1 - ly, hx = 1 - lx;
  s.pos[0] = y_low * w + x_low;
  s.pos[1] = y_low * w + x_high;
  s.pos[2] = y_high * w + x_low;
  s.pos[3] = y_high * w + x_high;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

}  // namespace

Status roi_align(KernelContext& ctx) {
  const Tensor& x0 = ctx.input(0);
  const Tensor& rois0 = ctx.input(1);
  const Tensor& bidx = ctx.input(2);
  if (!dtype_is_float(x0.dtype())) return ctx.unsupported_error("dtype {} is not supported", dtype_name(x0.dtype()));
  if (x0.rank() != 4) return ctx.error("X must be 4-D (N, C, H, W), got {}", x0.describe());
  if (rois0.rank() != 2 || rois0.dim(1) != 4) return ctx.error("rois must be [num_rois, 4], got {}", rois0.describe());
  int64_t num_rois = rois0.dim(0);
  if (bidx.rank() != 1 || bidx.dim(0) != num_rois) {
    return ctx.error("batch_indices must be 1-D of length {}, got {}", num_rois, bidx.describe());
  }
  const ir::Node& node = ctx.node();
  std::string mode = node.attr_string("mode", "avg");
  if (mode != "avg" && mode != "max") return ctx.error("unknown mode '{}'", mode);
  int64_t oh = node.attr_int("output_height", 1), ow = node.attr_int("output_width", 1);
  if (oh < 1 || ow < 1) return ctx.error("output_height/output_width must be >= 1, got {} and {}", oh, ow);
  int64_t sampling = node.attr_int("sampling_ratio", 0);
  double scale = node.attr_float("spatial_scale", 1.0f);
  std::string ctm = node.attr_string("coordinate_transformation_mode", node.opset >= 16 ? "half_pixel" : "output_half_pixel");
  bool half_pixel = ctm == "half_pixel";
  double offset = half_pixel ? 0.5 : 0.0;

  Tensor x = cast_tensor(x0, DType::kFloat64);
  Tensor rois = cast_tensor(rois0, DType::kFloat64);
  int64_t n = x0.dim(0), c = x0.dim(1), h = x0.dim(2), w = x0.dim(3);
  Tensor y(DType::kFloat64, {num_rois, c, oh, ow});
  double* yp = y.data<double>();
  for (int64_t r = 0; r < num_rois; ++r) {
    int64_t b = bidx.as_int64(r);
    if (b < 0 || b >= n) return ctx.error("batch_indices[{}] = {} is outside [0, {})", r, b, n);
    const double* roi = rois.data<double>() + r * 4;
    double x1 = roi[0] * scale - offset, y1 = roi[1] * scale - offset;
    double x2 = roi[2] * scale - offset, y2 = roi[3] * scale - offset;
    double rw = x2 - x1, rh = y2 - y1;
    if (!half_pixel) {
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    double bin_h = rh / static_cast<double>(oh), bin_w = rw / static_cast<double>(ow);
    int64_t grid_h = sampling > 0 ? sampling : static_cast<int64_t>(std::ceil(rh / static_cast<double>(oh)));
    int64_t grid_w = sampling > 0 ? sampling : static_cast<int64_t>(std::ceil(rw / static_cast<double>(ow)));
    grid_h = std::max<int64_t>(grid_h, 0);
    grid_w = std::max<int64_t>(grid_w, 0);
    double count = static_cast<double>(std::max<int64_t>(grid_h * grid_w, 1));
    for (int64_t ch = 0; ch < c; ++ch) {
      const double* plane = x.data<double>() + (b * c + ch) * h * w;
      for (int64_t ph = 0; ph < oh; ++ph) {
        for (int64_t pw = 0; pw < ow; ++pw) {
          double acc = 0;
          bool first = true;
          for (int64_t iy = 0; iy < grid_h; ++iy) {
            double sy = y1 + static_cast<double>(ph) * bin_h + (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(grid_h);
            for (int64_t ix = 0; ix < grid_w; ++ix) {
              double sx = x1 + static_cast<double>(pw) * bin_w + (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(grid_w);
              Sample s = bilinear_sample(sy, sx, h, w);
              if (mode == "avg") {
                for (int k = 0; k < 4; ++k) acc += s.w[k] * plane[s.pos[k]];
              } else {
                double v = s.w[0] * plane[s.pos[0]];
                for (int k = 1; k < 4; ++k) v = std::max(v, s.w[k] * plane[s.pos[k]]);
                acc = first ? v : std::max(acc, v);
                first = false;
              }
            }
          }
          yp[((r * c + ch) * oh + ph) * ow + pw] = mode == "avg" ? acc / count : acc;
        }
      }
    }
  }
  ctx.set_output(0, cast_tensor(y, x0.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
