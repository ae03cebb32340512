// Reference kiln.Aipp: one output element at a time, straight from the spec's formulas
// (../shared/spec/aipp.md §3 channel extraction, §5.2 CSC, §5.4 resize, §5.3 normalisation,
// §5.5 padding).
#include <algorithm>
#include <array>
#include <cmath>

#include "backends/reference/kiln/kiln_kernels.h"
#include "converter/aipp_config.h"

namespace kiln::reference {

namespace {

// The channel tuple (c0, c1, c2, c3) of source pixel (x, y), after the rbuv/ax swaps (§3).
std::array<int, 4> fetch_pixel(const aipp::Params& p, const uint8_t* img, int64_t x, int64_t y) {
  const int64_t w = p.src_image_size_w, h = p.src_image_size_h;
  std::array<int, 4> c{0, 0, 0, 0};
  switch (p.input_format) {
    case aipp::InputFormat::kYuv420spU8: {
      const uint8_t* uv = img + w * h + (y / 2) * w + (x / 2) * 2;
      c = {img[y * w + x], uv[0], uv[1], 0};
      if (p.rbuv_swap_switch) std::swap(c[1], c[2]);
      break;
    }
    case aipp::InputFormat::kRgb888U8: {
      const uint8_t* px = img + (y * w + x) * 3;
      c = {px[0], px[1], px[2], 0};
      if (p.rbuv_swap_switch) std::swap(c[0], c[2]);
      break;
    }
    case aipp::InputFormat::kXrgb8888U8: {
      const uint8_t* px = img + (y * w + x) * 4;
      c = p.ax_swap_switch ? std::array<int, 4>{px[1], px[2], px[3], px[0]} : std::array<int, 4>{px[0], px[1], px[2], px[3]};
      if (p.rbuv_swap_switch) std::swap(c[0], c[2]);
      break;
    }
    default:  // YUV400_U8 (the only other format that passes validation)
      c = {img[y * w + x], 0, 0, 0};
      break;
  }
  return c;
}

// §5.2: integer fixed point with 8 fractional bits, truncating shift, clip to [0, 255].
std::array<int, 4> convert_colour(const aipp::Params& p, std::array<int, 4> c) {
  if (!p.csc_switch) return c;
  const bool yuv_input = p.input_format == aipp::InputFormat::kYuv420spU8;
  std::array<int, 4> out = c;  // c3 passes through
  for (int k = 0; k < 3; ++k) {
    int64_t acc = 0;
    for (int j = 0; j < 3; ++j) acc += int64_t{p.matrix[k * 3 + j]} * (yuv_input ? c[j] - p.input_bias[j] : c[j]);
    int64_t v = acc >> 8;  // arithmetic shift: floor division by 256
    if (!yuv_input) v += p.output_bias[k];
    out[k] = static_cast<int>(std::clamp<int64_t>(v, 0, 255));
  }
  return out;
}

// §5.4: bilinear with half-pixel centres (OpenCV INTER_LINEAR) over the post-CSC crop window,
// rounded to nearest and clipped; `pixel(x, y)` gives the post-CSC tuple of crop pixel (x, y).
template <typename PixelFn>
std::array<int, 4> resized_pixel(PixelFn pixel, int64_t in_w, int64_t in_h, int64_t out_w, int64_t out_h, int64_t x, int64_t y) {
  auto axis = [](int64_t o, int64_t in, int64_t out, int64_t& i0, int64_t& i1, float& frac) {
    float f = (static_cast<float>(o) + 0.5f) * static_cast<float>(in) / static_cast<float>(out) - 0.5f;
    if (f < 0) f = 0;
    i0 = static_cast<int64_t>(f);
    if (i0 >= in - 1) {
      i0 = i1 = in - 1;
      frac = 0;
    } else {
      i1 = i0 + 1;
      frac = f - static_cast<float>(i0);
    }
  };
  int64_t x0, x1, y0, y1;
  float wx, wy;
  axis(x, in_w, out_w, x0, x1, wx);
  axis(y, in_h, out_h, y0, y1, wy);
  const std::array<int, 4> a = pixel(x0, y0), b = pixel(x1, y0), c = pixel(x0, y1), d = pixel(x1, y1);
  std::array<int, 4> out{};
  for (int k = 0; k < 4; ++k) {
    const float v = (1 - wy) * ((1 - wx) * a[k] + wx * b[k]) + wy * ((1 - wx) * c[k] + wx * d[k]);
    out[k] = std::clamp(static_cast<int>(std::floor(v + 0.5f)), 0, 255);
  }
  return out;
}

}  // namespace

Status aipp(KernelContext& ctx) {
  const ir::Node& node = ctx.node();
  KILN_ASSIGN_OR_RETURN(aipp::Params params, aipp::from_json(node.attr_string("params", ""), node.label()));
  const std::vector<int64_t> chw = node.attr_ints("output_chw");
  if (chw.size() != 3) return ctx.error("attribute output_chw must be [C, H, W]");
  const int64_t c_out = chw[0];
  int64_t h_out = chw[1], w_out = chw[2];
  const bool channels_last = node.attr_int("channels_last", 0) != 0;
  const bool dynamic = ctx.has_input(1);
  const Tensor& image = ctx.input(0);
  if (image.dtype() != DType::kUInt8) return ctx.error("the raw image must be uint8, got {}", image.describe());

  int64_t n = 0;
  if (dynamic) {
    const Tensor& block = ctx.input(1);
    if (block.dtype() != DType::kUInt8 || block.rank() != 1 || block.dim(0) < 160 || (block.dim(0) - 64) % 96 != 0) {
      return ctx.error("the dynamic AIPP parameter block must be uint8 [64 + 96*N], got {}", block.describe());
    }
    n = (block.dim(0) - 64) / 96;
  } else {
    if (aipp::follows_image_size(params)) {  // --dynamic_image_size: the image decides the size
      KILN_TRY(aipp::resolve_size_from_image(params, image.shape(), node.label()));
      h_out = params.src_image_size_h, w_out = params.src_image_size_w;
    }
    KILN_TRY(aipp::validate_against_input(params, {1, c_out, h_out, w_out}, node.label()));
    const std::vector<int64_t> want = aipp::raw_image_dims(params, image.rank() > 0 ? image.dim(0) : 0);
    if (image.shape() != Shape(want.begin(), want.end())) {
      return ctx.error("the raw image must be uint8[{}] ({} {}x{}), got {}", shape_str(want),
                       aipp::input_format_name(params.input_format), params.src_image_size_w, params.src_image_size_h,
                       image.describe());
    }
    n = image.dim(0);
  }
  const Shape out_shape = channels_last ? Shape{n, h_out, w_out, c_out} : Shape{n, c_out, h_out, w_out};
  Tensor& y = ctx.allocate_output(0, DType::kFloat32, out_shape);
  float* out = y.data<float>();
  const auto* bytes = image.data<uint8_t>();

  int64_t image_offset = 0;
  for (int64_t b = 0; b < n; ++b) {
    aipp::Params p = params;
    if (dynamic) {
      const Tensor& block = ctx.input(1);
      KILN_ASSIGN_OR_RETURN(p, aipp::decode_dynamic_block(block.data<uint8_t>(), block.nbytes(), b));
      KILN_TRY(aipp::validate_against_input(p, {n, c_out, h_out, w_out}, node.label()).with_context("dynamic AIPP"));
    }
    const int64_t image_bytes = p.image_bytes(p.src_image_size_w, p.src_image_size_h);
    if (dynamic && image_offset + image_bytes > image.numel()) {
      return ctx.error("dynamic AIPP: batch element {} ({} {}x{}) needs bytes [{}, {}) of the raw input, which has {}", b,
                       aipp::input_format_name(p.input_format), p.src_image_size_w, p.src_image_size_h, image_offset,
                       image_offset + image_bytes, image.numel());
    }
    const uint8_t* img = bytes + image_offset;
    image_offset += image_bytes;
    const aipp::CropWindow crop = aipp::crop_window(p);
    auto crop_pixel = [&](int64_t x, int64_t y) { return convert_colour(p, fetch_pixel(p, img, crop.x + x, crop.y + y)); };
    const int64_t region_w = p.resize ? p.resize_output_w : crop.w, region_h = p.resize ? p.resize_output_h : crop.h;
    for (int64_t oy = 0; oy < h_out; ++oy) {
      for (int64_t ox = 0; ox < w_out; ++ox) {
        const int64_t cx = ox - p.left_padding_size, cy = oy - p.top_padding_size;
        const bool inside = cx >= 0 && cx < region_w && cy >= 0 && cy < region_h;
        std::array<int, 4> px{};
        if (inside) {
          px = p.resize ? resized_pixel(crop_pixel, crop.w, crop.h, region_w, region_h, cx, cy) : crop_pixel(cx, cy);
        }
        for (int64_t c = 0; c < c_out; ++c) {
          const float v = inside ? (static_cast<float>(px[c]) - static_cast<float>(p.mean_chn[c]) - p.min_chn[c]) * p.var_reci_chn[c]
                                 : p.padding_value;  // padding is written as is, not normalised (§5.5)
          const int64_t at = channels_last ? ((b * h_out + oy) * w_out + ox) * c_out + c
                                           : ((b * c_out + c) * h_out + oy) * w_out + ox;
          out[at] = v;
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace kiln::reference
