// Portable depthwise rows (one channel per "vector"): the fallback without AVX2, and a second
// implementation the tests compare against.
#include <algorithm>

#include "backends/cpu/depthwise/depthwise_kernel.h"

namespace kiln::cpu {
namespace {

struct ScalarOps {
  using V = float;
  using M = bool;
  static constexpr int64_t kWidth = 1;
  static M mask(int64_t n) { return n > 0; }
  static V load(const float* p, M m) { return m ? *p : 0.f; }
  struct Full {};
  static Full full() { return {}; }
  static V load(const float* p, Full) { return *p; }
  static void store(float* p, V v, Full) { *p = v; }
  static V loadw(const float* p) { return *p; }
  static void store(float* p, V v, M m) {
    if (m) *p = v;
  }
  static void pin(V&) {}
  static V set1(float v) { return v; }
  static V zero() { return 0.f; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V add(V a, V b) { return a + b; }
  static V mul(V a, V b) { return a * b; }
  static V max(V a, V b) { return std::max(a, b); }
  static V min(V a, V b) { return std::min(a, b); }
  static V select_neg(V x, V a, V b) { return x < 0 ? a : b; }
};

}  // namespace

void depthwise_rows_scalar(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                           int64_t row_end) {
  DwKernel<ScalarOps>::rows(p, x, z, y, row_begin, row_end);
}

}  // namespace kiln::cpu
