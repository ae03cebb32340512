// kiln.Aipp resize stage (spec §5.4): bilinear interpolation with half-pixel centres (OpenCV
// INTER_LINEAR) over the post-CSC uint8 crop planes, rounded to nearest and clipped to [0, 255],
// then normalised and stored with padding. Resize is rare in practice (CANN marks it reserved),
// so this stage is plain scalar code; the crop + CSC stage before it uses the ISA row kernels.
#include <cmath>

#include "backends/cpu/aipp/aipp_rows.h"

namespace kiln::cpu {

void aipp_resize_taps(int64_t in, int64_t out, int32_t* i0, int32_t* i1, float* w1) {
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int64_t o = 0; o < out; ++o) {
    float f = (static_cast<float>(o) + 0.5f) * scale - 0.5f;
    if (f < 0) f = 0;
    int64_t a = static_cast<int64_t>(f);
    if (a >= in - 1) {
      i0[o] = i1[o] = static_cast<int32_t>(in - 1);
      w1[o] = 0;
    } else {
      i0[o] = static_cast<int32_t>(a);
      i1[o] = static_cast<int32_t>(a + 1);
      w1[o] = f - static_cast<float>(a);
    }
  }
}

void aipp_resize_rows(const AippPlan& p, const uint8_t* planes, const int32_t* x0, const int32_t* x1, const float* wx,
                      float* out, int64_t row_begin, int64_t row_end) {
  const int64_t plane = p.crop_w * p.crop_h;
  for (int64_t oy = row_begin; oy < row_end; ++oy) {
    const int64_t ry = oy - p.top;
    if (ry < 0 || ry >= p.resize_h) {
      aipp_detail::pad_row(p, out, oy, 0, p.w);
      continue;
    }
    aipp_detail::pad_row(p, out, oy, 0, p.left);
    aipp_detail::pad_row(p, out, oy, p.left + p.resize_w, p.w);
    int32_t y0, y1;
    float wy;
    {
      // The same tap rule as aipp_resize_taps, for this one row.
      float f = (static_cast<float>(ry) + 0.5f) * static_cast<float>(p.crop_h) / static_cast<float>(p.resize_h) - 0.5f;
      if (f < 0) f = 0;
      const int64_t a = static_cast<int64_t>(f);
      if (a >= p.crop_h - 1) {
        y0 = y1 = static_cast<int32_t>(p.crop_h - 1);
        wy = 0;
      } else {
        y0 = static_cast<int32_t>(a), y1 = static_cast<int32_t>(a + 1);
        wy = f - static_cast<float>(a);
      }
    }
    for (int64_t c = 0; c < p.c; ++c) {
      const uint8_t* r0 = planes + c * plane + y0 * p.crop_w;
      const uint8_t* r1 = planes + c * plane + y1 * p.crop_w;
      const float scale = p.scale[c], offset = p.offset[c];
      for (int64_t rx = 0; rx < p.resize_w; ++rx) {
        const float w = wx[rx];
        const float top = (1 - w) * r0[x0[rx]] + w * r0[x1[rx]];
        const float bottom = (1 - w) * r1[x0[rx]] + w * r1[x1[rx]];
        const float v = std::clamp(std::floor((1 - wy) * top + wy * bottom + 0.5f), 0.f, 255.f);
        const float y = v * scale + offset;
        const int64_t ox = p.left + rx;
        if (p.channels_last) {
          out[(oy * p.w + ox) * p.c + c] = y;
        } else {
          out[(c * p.h + oy) * p.w + ox] = y;
        }
      }
    }
  }
}

}  // namespace kiln::cpu
