// AIPP geometry: raw image sizes and dims per input format, the crop window, source sizes that
// follow the image (--dynamic_image_size), and the checks of a block against the network input it
// feeds (../shared/spec/aipp.md §3, §4, §7).
#include "converter/aipp_config.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/shape.h"

namespace kiln::aipp {

int Params::source_channels() const {
  switch (input_format) {
    case InputFormat::kYuv420spU8:
    case InputFormat::kRgb888U8:
    case InputFormat::kYuyvU8:
    case InputFormat::kYuv422spU8: return 3;
    case InputFormat::kXrgb8888U8:
    case InputFormat::kArgb8888U8:
    case InputFormat::kAyuv444U8: return 4;
    case InputFormat::kYuv400U8: return 1;
    case InputFormat::kUndefined: break;
  }
  return 0;
}

int64_t Params::image_bytes(int64_t w, int64_t h) const {
  switch (input_format) {
    case InputFormat::kYuv420spU8: return w * h * 3 / 2;
    case InputFormat::kRgb888U8: return w * h * 3;
    case InputFormat::kXrgb8888U8:
    case InputFormat::kArgb8888U8:
    case InputFormat::kAyuv444U8: return w * h * 4;
    case InputFormat::kYuyvU8:
    case InputFormat::kYuv422spU8: return w * h * 2;
    case InputFormat::kYuv400U8: return w * h;
    case InputFormat::kUndefined: break;
  }
  return 0;
}

CropWindow crop_window(const Params& p) {
  if (p.crop) return {p.load_start_pos_w, p.load_start_pos_h, p.crop_size_w, p.crop_size_h};
  return {0, 0, p.src_image_size_w, p.src_image_size_h};
}

std::vector<int64_t> raw_image_dims(const Params& p, int64_t n) {
  const int64_t w = p.src_image_size_w, h = p.src_image_size_h;
  switch (p.input_format) {
    case InputFormat::kYuv420spU8: return {n, h * 3 / 2, w, 1};
    case InputFormat::kYuv422spU8: return {n, h * 2, w, 1};
    case InputFormat::kYuyvU8: return {n, h, w, 2};
    case InputFormat::kRgb888U8: return {n, h, w, 3};
    case InputFormat::kXrgb8888U8:
    case InputFormat::kArgb8888U8:
    case InputFormat::kAyuv444U8: return {n, h, w, 4};
    case InputFormat::kYuv400U8:
    case InputFormat::kUndefined: break;
  }
  return {n, h, w, 1};
}

bool follows_image_size(const Params& p) {
  return p.mode == Mode::kStatic && p.src_image_size_w == 0 && p.src_image_size_h == 0;
}

std::array<int64_t, 2> rows_per_image_height(const Params& p) {
  switch (p.input_format) {
    case InputFormat::kYuv420spU8: return {3, 2};
    case InputFormat::kYuv422spU8: return {2, 1};
    default: return {1, 1};
  }
}

Status resolve_size_from_image(Params& p, const std::vector<int64_t>& raw_dims, const std::string& what) {
  const std::vector<int64_t> unit = raw_image_dims(p, 1);  // channel dim of the format (size 0 otherwise)
  const auto [num, den] = rows_per_image_height(p);
  if (raw_dims.size() != 4 || raw_dims[3] != unit[3] || raw_dims[1] <= 0 || raw_dims[2] <= 0 || raw_dims[1] % num != 0) {
    return invalid_argument("{}: raw {} image dims {} are not [N, H{}, W, {}]", what, input_format_name(p.input_format),
                            shape_str(raw_dims), num == 1 ? "" : fmt::format("*{}/{}", num, den), unit[3]);
  }
  p.src_image_size_w = static_cast<int32_t>(std::min<int64_t>(raw_dims[2], 1 << 20));
  p.src_image_size_h = static_cast<int32_t>(std::min<int64_t>(raw_dims[1] / num * den, 1 << 20));
  return Status::ok();
}

Status validate_against_input(Params& p, const std::vector<int64_t>& nchw_dims, const std::string& input_name) {
  if (nchw_dims.size() != 4) {
    return invalid_argument("AIPP input '{}': AIPP applies to 4-D NCHW/NHWC inputs only, got rank {}", input_name,
                            nchw_dims.size());
  }
  const int64_t c = nchw_dims[1], h = nchw_dims[2], w = nchw_dims[3];
  if (c != 1 && c != 3 && c != 4) {
    return invalid_argument("AIPP input '{}': network channel count C = {} must be 1, 3 or 4", input_name, c);
  }
  if (p.mode == Mode::kDynamic) {
    if (h <= 0 || w <= 0) {
      return unsupported("AIPP input '{}': dynamic AIPP needs a static network H and W (got {}x{})", input_name, h, w);
    }
    return Status::ok();
  }
  // The parameters may come from JSON (an .om file), not only from a parsed config: re-check what
  // the kernels rely on for memory safety and overflow-free integer CSC.
  const int f = static_cast<int>(p.input_format);
  if (f < 1 || f > 4) {
    return unsupported("AIPP input '{}': input_format {} is not supported", input_name, input_format_name(p.input_format));
  }
  if (p.csc_switch && p.input_format == InputFormat::kYuv400U8) {
    return invalid_argument("AIPP input '{}': csc_switch must be false for YUV400_U8", input_name);
  }
  auto in_range = [&](const char* field, int64_t v, int64_t lo, int64_t hi) -> Status {
    if (v >= lo && v <= hi) return Status::ok();
    return invalid_argument("AIPP input '{}': {} = {} is out of range [{}, {}]", input_name, field, v, lo, hi);
  };
  KILN_TRY(in_range("src_image_size_w", p.src_image_size_w, 0, 4096));
  KILN_TRY(in_range("src_image_size_h", p.src_image_size_h, 0, 4096));
  if (!p.crop) p.load_start_pos_w = p.load_start_pos_h = p.crop_size_w = p.crop_size_h = 0;
  if (!p.padding) p.left_padding_size = p.right_padding_size = p.top_padding_size = p.bottom_padding_size = 0;
  KILN_TRY(in_range("load_start_pos_w", p.load_start_pos_w, 0, 4095));
  KILN_TRY(in_range("load_start_pos_h", p.load_start_pos_h, 0, 4095));
  KILN_TRY(in_range("crop_size_w", p.crop_size_w, 0, 4096));
  KILN_TRY(in_range("crop_size_h", p.crop_size_h, 0, 4096));
  KILN_TRY(in_range("left_padding_size", p.left_padding_size, 0, 32));
  KILN_TRY(in_range("right_padding_size", p.right_padding_size, 0, 32));
  KILN_TRY(in_range("top_padding_size", p.top_padding_size, 0, 32));
  KILN_TRY(in_range("bottom_padding_size", p.bottom_padding_size, 0, 32));
  for (int k = 0; k < 9; ++k) KILN_TRY(in_range("matrix", p.matrix[k], -32768, 32767));
  for (int k = 0; k < 3; ++k) {
    KILN_TRY(in_range("input_bias", p.input_bias[k], 0, 255));
    KILN_TRY(in_range("output_bias", p.output_bias[k], 0, 255));
  }
  if (p.input_format == InputFormat::kYuv420spU8 &&
      (p.src_image_size_w % 2 || p.src_image_size_h % 2 || p.load_start_pos_w % 2 || p.load_start_pos_h % 2)) {
    return invalid_argument("AIPP input '{}': YUV420SP_U8 needs an even source size and crop origin, got {}x{} at ({}, {})",
                            input_name, p.src_image_size_w, p.src_image_size_h, p.load_start_pos_w, p.load_start_pos_h);
  }
  const int sc = p.source_channels();
  if (c > sc) {
    return invalid_argument("AIPP input '{}': network wants C = {} channels but input_format {} delivers {}", input_name, c,
                            input_format_name(p.input_format), sc);
  }
  if (h <= 0 || w <= 0) {
    // --dynamic_image_size (§4.1, §7): the raw image size follows the gear chosen at run time.
    if (p.src_image_size_w != 0 || p.src_image_size_h != 0 || p.crop || p.padding || p.resize) {
      return invalid_argument("AIPP input '{}': with a dynamic network size ({}x{} WxH) static AIPP needs crop, resize and "
                              "padding off and src_image_size_w/h = 0 (got src {}x{}, crop {}, resize {}, padding {})",
                              input_name, w, h, p.src_image_size_w, p.src_image_size_h, p.crop, p.resize, p.padding);
    }
    return Status::ok();
  }
  if (p.src_image_size_w == 0 || p.src_image_size_h == 0) {
    // §4.1: crop and padding are off (checked at parse time): the source is the network size.
    if (w < 2 || w > 4096 || h < 1 || h > 4096) {
      return invalid_argument("AIPP input '{}': src_image_size_w/h are 0, so the network size {}x{} (WxH) is the source "
                              "size and must lie in [2,4096] x [1,4096]", input_name, w, h);
    }
    if (p.input_format == InputFormat::kYuv420spU8 && (w % 2 || h % 2)) {
      return invalid_argument("AIPP input '{}': YUV420SP_U8 needs an even source size, network is {}x{} (WxH)", input_name, w, h);
    }
    if (p.src_image_size_w == 0) p.src_image_size_w = static_cast<int32_t>(w);
    if (p.src_image_size_h == 0) p.src_image_size_h = static_cast<int32_t>(h);
  }
  if (p.crop) {
    if (p.crop_size_w == 0) p.crop_size_w = static_cast<int32_t>(w);
    if (p.crop_size_h == 0) p.crop_size_h = static_cast<int32_t>(h);
    if (p.load_start_pos_w + p.crop_size_w > p.src_image_size_w || p.load_start_pos_h + p.crop_size_h > p.src_image_size_h) {
      return invalid_argument("AIPP input '{}': crop window {}x{} at ({}, {}) does not fit the {}x{} source image", input_name,
                              p.crop_size_w, p.crop_size_h, p.load_start_pos_w, p.load_start_pos_h, p.src_image_size_w,
                              p.src_image_size_h);
    }
  }
  const CropWindow cw = crop_window(p);
  if (p.resize) {
    // §5.4: 0 means the network size (padding is off then, checked at parse time).
    if (p.resize_output_w == 0 && !p.padding) p.resize_output_w = static_cast<int32_t>(w);
    if (p.resize_output_h == 0 && !p.padding) p.resize_output_h = static_cast<int32_t>(h);
    KILN_TRY(in_range("resize_output_w", p.resize_output_w, 16, 1920));
    KILN_TRY(in_range("resize_output_h", p.resize_output_h, 16, 4096));
    if (cw.w < 1 || cw.h < 1 || int64_t{p.resize_output_w} * 16 < cw.w || p.resize_output_w > int64_t{cw.w} * 16 ||
        int64_t{p.resize_output_h} * 16 < cw.h || p.resize_output_h > int64_t{cw.h} * 16) {
      return invalid_argument("AIPP input '{}': resize {}x{} -> {}x{} is outside the scale range [1/16, 16]", input_name,
                              cw.w, cw.h, p.resize_output_w, p.resize_output_h);
    }
  } else {
    p.resize_output_w = p.resize_output_h = 0;
  }
  const int64_t out_w = static_cast<int64_t>(p.resize ? p.resize_output_w : cw.w) + p.left_padding_size + p.right_padding_size;
  const int64_t out_h = static_cast<int64_t>(p.resize ? p.resize_output_h : cw.h) + p.top_padding_size + p.bottom_padding_size;
  if (out_w != w) {
    return invalid_argument("AIPP input '{}': width after crop and padding is {} + {} + {} = {}, but the network input W is {}",
                            input_name, p.resize ? p.resize_output_w : cw.w, p.left_padding_size, p.right_padding_size,
                            out_w, w);
  }
  if (out_h != h) {
    return invalid_argument("AIPP input '{}': height after crop and padding is {} + {} + {} = {}, but the network input H is {}",
                            input_name, p.resize ? p.resize_output_h : cw.h, p.top_padding_size, p.bottom_padding_size,
                            out_h, h);
  }
  return Status::ok();
}

}  // namespace kiln::aipp
