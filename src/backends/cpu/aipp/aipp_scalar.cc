// kiln.Aipp rows, portable scalar arithmetic (the fallback below AVX2).
#include "backends/cpu/aipp/aipp_rows.h"

namespace kiln::cpu {

void aipp_rows_scalar(const AippPlan& plan, const uint8_t* image, float* out, int64_t row_begin, int64_t row_end) {
  aipp_detail::rows<aipp_detail::ScalarStages>(plan, image, out, row_begin, row_end);
}

void aipp_crop_rows_scalar(const AippPlan& plan, const uint8_t* image, uint8_t* planes, int64_t row_begin, int64_t row_end) {
  aipp_detail::crop_rows<aipp_detail::ScalarStages>(plan, image, planes, row_begin, row_end);
}

}  // namespace kiln::cpu
