// kiln.Aipp on the CPU backend: the resolved parameters of one image (AippPlan), and the row
// kernels that turn raw image rows into normalised float rows. The ISA variants share one driver
// (aipp_rows.h) and differ in the arithmetic stages (CSC, normalise + store).
//
//   AippPlan plan = make_aipp_plan(params, c, h, w, channels_last);
//   aipp_rows_avx2(plan, image, out, 0, plan.h);   // rows [0, h) of one image
#pragma once

#include <cstdint>

#include "backends/kernel.h"
#include "converter/aipp_config.h"

namespace kiln::cpu {

// Everything a row needs, precomputed once (per node for static AIPP, per batch element for
// dynamic AIPP): normalisation folded into out = p * scale + offset.
struct AippPlan {
  aipp::InputFormat format = aipp::InputFormat::kUndefined;
  bool csc = false, yuv_csc = false, rbuv_swap = false, ax_swap = false;
  int64_t src_w = 0, src_h = 0;
  int64_t crop_x = 0, crop_y = 0, crop_w = 0, crop_h = 0;
  bool resize = false;                 // §5.4: the crop window is scaled to resize_w x resize_h
  int64_t resize_w = 0, resize_h = 0;
  int64_t left = 0, top = 0;           // padding before the crop window
  float pad_value = 0;
  int64_t c = 0, h = 0, w = 0;         // output (network) size
  bool channels_last = false;
  int32_t matrix[9] = {};
  int32_t bias[3] = {};                // input_bias (YUV->RGB) or output_bias (RGB->YUV)
  float scale[4] = {1, 1, 1, 1}, offset[4] = {};
};

AippPlan make_aipp_plan(const aipp::Params& p, int64_t c, int64_t h, int64_t w, bool channels_last);

// Output rows [row_begin, row_end) of one image: `image` is its raw bytes, `out` its [C,H,W] or
// [H,W,C] float block.
void aipp_rows_scalar(const AippPlan& plan, const uint8_t* image, float* out, int64_t row_begin, int64_t row_end);
void aipp_rows_avx2(const AippPlan& plan, const uint8_t* image, float* out, int64_t row_begin, int64_t row_end);

// Resize path, per image: (1) crop rows [row_begin, row_end) after swap + CSC into uint8 planes
// [c][crop_h][crop_w]; (2) bilinear (half-pixel centres) + normalise + pad of output rows.
void aipp_crop_rows_scalar(const AippPlan& plan, const uint8_t* image, uint8_t* planes, int64_t row_begin, int64_t row_end);
void aipp_crop_rows_avx2(const AippPlan& plan, const uint8_t* image, uint8_t* planes, int64_t row_begin, int64_t row_end);
// Source taps of each output coordinate along one axis: i0, i1 and the weight of i1.
void aipp_resize_taps(int64_t in, int64_t out, int32_t* i0, int32_t* i1, float* w1);
void aipp_resize_rows(const AippPlan& plan, const uint8_t* planes, const int32_t* x0, const int32_t* x1, const float* wx,
                      float* out, int64_t row_begin, int64_t row_end);

Expected<std::unique_ptr<OpKernel>> prepare_aipp(const PrepareContext& ctx);

}  // namespace kiln::cpu
