// The dynamic-AIPP parameter block (../shared/spec/aipp.md §9): what aclmdlSetInputAIPP writes into
// the `ascend_dynamic_aipp_data` input and the kiln.Aipp kernel reads per batch element. The block
// comes from the application at run time, so decoding checks every field and names the bad one.
#include <cmath>
#include <cstring>

#include "converter/aipp_config.h"
#include "core/half.h"

namespace kiln::aipp {

namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void store(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

// Per-batch block field offsets (relative to 64 + 96*b).
constexpr size_t kCropSwitch = 0, kScfSwitch = 1, kPaddingSwitch = 2, kRotateSwitch = 3, kGeometry = 8, kMean = 56,
                 kMin = 64, kVarReci = 72;

Status bad(int64_t b, const std::string& field, const std::string& what) {
  return invalid_argument("dynamic AIPP parameter block, batch {}: {}: {}", b, field, what);
}

Status check_switch(int64_t b, const char* field, int8_t v) {
  if (v == 0 || v == 1) return Status::ok();
  return bad(b, field, fmt::format("{} is not a switch value (0 or 1)", v));
}

}  // namespace

Expected<Params> decode_dynamic_block(const uint8_t* data, size_t bytes, int64_t b) {
  if (bytes < kDynamicHeaderBytes) {
    return invalid_argument("dynamic AIPP parameter block has {} bytes, the header alone needs {}", bytes, kDynamicHeaderBytes);
  }
  const int8_t batch_num = load<int8_t>(data + 4);
  if (batch_num <= 0) return bad(b, "batchNum", fmt::format("{} must be > 0", batch_num));
  if (b < 0 || b >= batch_num) return bad(b, "batchNum", fmt::format("{} does not cover batch element {}", batch_num, b));
  if (bytes < dynamic_block_bytes(b + 1)) {
    return invalid_argument("dynamic AIPP parameter block has {} bytes, batch element {} needs {}", bytes, b,
                            dynamic_block_bytes(b + 1));
  }
  Params p;
  p.mode = Mode::kStatic;  // the decoded element is processed like a static block
  const int format = data[0];
  if (format < 1 || format > 4) {
    return bad(b, "inputFormat", fmt::format("{} is not a supported format (1 YUV420SP_U8, 2 XRGB8888_U8, 3 RGB888_U8, 4 YUV400_U8)", format));
  }
  p.input_format = static_cast<InputFormat>(format);
  KILN_TRY(check_switch(b, "cscSwitch", load<int8_t>(data + 1)));
  KILN_TRY(check_switch(b, "rbuvSwapSwitch", load<int8_t>(data + 2)));
  KILN_TRY(check_switch(b, "axSwapSwitch", load<int8_t>(data + 3)));
  p.csc_switch = data[1] != 0;
  p.rbuv_swap_switch = data[2] != 0;
  p.ax_swap_switch = data[3] != 0;
  if (p.csc_switch && p.input_format == InputFormat::kYuv400U8) return bad(b, "cscSwitch", "must be 0 for YUV400_U8");
  p.src_image_size_w = load<int32_t>(data + 8);
  p.src_image_size_h = load<int32_t>(data + 12);
  const bool yuv420 = p.input_format == InputFormat::kYuv420spU8;
  if (p.src_image_size_w < 2 || p.src_image_size_w > 4096 || (yuv420 && p.src_image_size_w % 2)) {
    return bad(b, "srcImageSizeW", fmt::format("{} is out of range [2, 4096]{}", p.src_image_size_w, yuv420 ? " (even)" : ""));
  }
  if (p.src_image_size_h < 1 || p.src_image_size_h > 4096 || (yuv420 && p.src_image_size_h % 2)) {
    return bad(b, "srcImageSizeH", fmt::format("{} is out of range [1, 4096]{}", p.src_image_size_h, yuv420 ? " (even)" : ""));
  }
  for (int k = 0; k < 9; ++k) p.matrix[k] = load<int16_t>(data + 16 + 2 * k);
  for (int k = 0; k < 3; ++k) {
    p.output_bias[k] = data[40 + k];
    p.input_bias[k] = data[43 + k];
  }

  const uint8_t* e = data + kDynamicHeaderBytes + kDynamicBatchBytes * static_cast<size_t>(b);
  KILN_TRY(check_switch(b, "cropSwitch", load<int8_t>(e + kCropSwitch)));
  KILN_TRY(check_switch(b, "paddingSwitch", load<int8_t>(e + kPaddingSwitch)));
  KILN_TRY(check_switch(b, "scfSwitch", load<int8_t>(e + kScfSwitch)));
  if (e[kRotateSwitch] != 0) return bad(b, "rotateSwitch", "rotation is reserved (must be 0)");
  p.crop = e[kCropSwitch] != 0;
  p.padding = e[kPaddingSwitch] != 0;
  int32_t g[12];
  for (int k = 0; k < 12; ++k) g[k] = load<int32_t>(e + kGeometry + 4 * k);
  if (p.crop) {
    p.load_start_pos_w = g[0], p.load_start_pos_h = g[1], p.crop_size_w = g[2], p.crop_size_h = g[3];
    const char* names[] = {"cropStartPosW", "cropStartPosH", "cropSizeW", "cropSizeH"};
    for (int k = 0; k < 4; ++k) {
      if (g[k] < 0 || g[k] > 4096) return bad(b, names[k], fmt::format("{} is out of range [0, 4096]", g[k]));
    }
    if (yuv420 && (g[0] % 2 || g[1] % 2)) return bad(b, "cropStartPosW/H", fmt::format("({}, {}) must be even for YUV420SP_U8", g[0], g[1]));
    if (g[2] == 0 || g[3] == 0) return bad(b, "cropSizeW/H", fmt::format("{}x{} must be > 0", g[2], g[3]));
    if (g[0] + g[2] > p.src_image_size_w || g[1] + g[3] > p.src_image_size_h) {
      return bad(b, "cropSizeW/H", fmt::format("crop {}x{} at ({}, {}) exceeds the {}x{} source", g[2], g[3], g[0], g[1],
                                               p.src_image_size_w, p.src_image_size_h));
    }
  }
  if (e[kScfSwitch] != 0) {
    // The resize input must be the crop window (or the whole source without crop).
    const int32_t in_w = p.crop ? p.crop_size_w : p.src_image_size_w, in_h = p.crop ? p.crop_size_h : p.src_image_size_h;
    if (g[4] != in_w || g[5] != in_h) {
      return bad(b, "scfInputSizeW/H", fmt::format("{}x{} must equal the crop (or source) size {}x{}", g[4], g[5], in_w, in_h));
    }
    if (g[6] < 16 || g[6] > 1920) return bad(b, "scfOutputSizeW", fmt::format("{} is out of range [16, 1920]", g[6]));
    if (g[7] < 16 || g[7] > 4096) return bad(b, "scfOutputSizeH", fmt::format("{} is out of range [16, 4096]", g[7]));
    p.resize = true;
    p.resize_output_w = g[6], p.resize_output_h = g[7];
  }
  if (p.padding) {
    p.top_padding_size = g[8], p.bottom_padding_size = g[9], p.left_padding_size = g[10], p.right_padding_size = g[11];
    const char* names[] = {"paddingSizeTop", "paddingSizeBottom", "paddingSizeLeft", "paddingSizeRight"};
    for (int k = 8; k < 12; ++k) {
      if (g[k] < 0 || g[k] > 32) return bad(b, names[k - 8], fmt::format("{} is out of range [0, 32]", g[k]));
    }
  }
  for (int i = 0; i < 4; ++i) {
    p.mean_chn[i] = load<int16_t>(e + kMean + 2 * i);
    if (p.mean_chn[i] < 0 || p.mean_chn[i] > 255) {
      return bad(b, fmt::format("dtcPixelMeanChn{}", i), fmt::format("{} is out of range [0, 255]", p.mean_chn[i]));
    }
    p.min_chn[i] = float16::to_float(load<uint16_t>(e + kMin + 2 * i));
    p.var_reci_chn[i] = float16::to_float(load<uint16_t>(e + kVarReci + 2 * i));
    if (!std::isfinite(p.min_chn[i])) return bad(b, fmt::format("dtcPixelMinChn{}", i), "is not a finite fp16 value");
    if (!std::isfinite(p.var_reci_chn[i])) return bad(b, fmt::format("dtcPixelVarReciChn{}", i), "is not a finite fp16 value");
  }
  return p;
}

std::vector<uint8_t> encode_dynamic_block(const std::vector<Params>& per_batch) {
  std::vector<uint8_t> out(dynamic_block_bytes(static_cast<int64_t>(per_batch.size())), 0);
  if (per_batch.empty()) return out;
  const Params& h = per_batch[0];
  uint8_t* d = out.data();
  d[0] = static_cast<uint8_t>(h.input_format);
  d[1] = h.csc_switch, d[2] = h.rbuv_swap_switch, d[3] = h.ax_swap_switch;
  d[4] = static_cast<uint8_t>(per_batch.size());
  store<int32_t>(d + 8, h.src_image_size_w);
  store<int32_t>(d + 12, h.src_image_size_h);
  for (int k = 0; k < 9; ++k) store<int16_t>(d + 16 + 2 * k, static_cast<int16_t>(h.matrix[k]));
  for (int k = 0; k < 3; ++k) {
    d[40 + k] = static_cast<uint8_t>(h.output_bias[k]);
    d[43 + k] = static_cast<uint8_t>(h.input_bias[k]);
  }
  for (size_t b = 0; b < per_batch.size(); ++b) {
    const Params& p = per_batch[b];
    uint8_t* e = d + kDynamicHeaderBytes + kDynamicBatchBytes * b;
    e[kCropSwitch] = p.crop;
    e[kPaddingSwitch] = p.padding;
    e[kScfSwitch] = p.resize;
    const int32_t scf_in_w = p.resize ? (p.crop ? p.crop_size_w : h.src_image_size_w) : 0;
    const int32_t scf_in_h = p.resize ? (p.crop ? p.crop_size_h : h.src_image_size_h) : 0;
    const int32_t g[12] = {p.load_start_pos_w, p.load_start_pos_h, p.crop_size_w, p.crop_size_h, scf_in_w, scf_in_h,
                           p.resize ? p.resize_output_w : 0, p.resize ? p.resize_output_h : 0,
                           p.top_padding_size, p.bottom_padding_size, p.left_padding_size, p.right_padding_size};
    for (int k = 0; k < 12; ++k) store<int32_t>(e + kGeometry + 4 * k, g[k]);
    for (int i = 0; i < 4; ++i) {
      store<int16_t>(e + kMean + 2 * i, static_cast<int16_t>(p.mean_chn[i]));
      store<uint16_t>(e + kMin + 2 * i, float16::from_float(p.min_chn[i]));
      store<uint16_t>(e + kVarReci + 2 * i, float16::from_float(p.var_reci_chn[i]));
    }
  }
  return out;
}

}  // namespace kiln::aipp
