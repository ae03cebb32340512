// Portable instantiation of the element-wise kernels (one float per "vector"), and the run-time
// choice between the ISA tables.
#include <cmath>
#include <cstring>

#include "backends/cpu/elementwise/kernels.h"

namespace kiln::cpu::elementwise::scalar {

// Mirrors the SIMD primitives' semantics exactly (max/min return b on NaN or equality).
struct V {
  using R = float;
  using M = bool;
  static constexpr int64_t N = 1;

  static R load(const float* p) { return *p; }
  static void store(float* p, R v) { *p = v; }
  static R load_n(const float* p, int64_t) { return *p; }  // unreachable: n < N = 1 never happens
  static void store_n(float* p, R v, int64_t) { *p = v; }
  static R set1(float x) { return x; }
  static R add(R a, R b) { return a + b; }
  static R sub(R a, R b) { return a - b; }
  static R mul(R a, R b) { return a * b; }
  static R div(R a, R b) { return a / b; }
  static R fmadd(R a, R b, R c) { return a * b + c; }  // std::fma is a slow call without FMA hardware
  static R max(R a, R b) { return a > b ? a : b; }
  static R min(R a, R b) { return a < b ? a : b; }
  static R sqrt(R a) { return std::sqrt(a); }
  static R floor(R a) { return std::floor(a); }
  static R ceil(R a) { return std::ceil(a); }
  static R round(R a) { return std::nearbyint(a); }
  static R abs(R a) { return std::fabs(a); }
  static R neg(R a) { return -a; }
  static M lt(R a, R b) { return a < b; }
  static M gt(R a, R b) { return a > b; }
  static M eq(R a, R b) { return a == b; }
  static M isnan(R a) { return a != a; }
  static R select(M m, R t, R f) { return m ? t : f; }
  static R pow2i(R n) {  // integral n in [-126, 127]
    const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  static uint32_t bits(R x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  }
  static R exponent(R x) { return static_cast<float>(static_cast<int32_t>((bits(x) >> 23) & 0xffu) - 127); }
  static R mantissa(R x) {
    const uint32_t b = (bits(x) & 0x007fffffu) | 0x3f800000u;
    float f;
    std::memcpy(&f, &b, sizeof f);
    return f;
  }
};

}  // namespace kiln::cpu::elementwise::scalar

#define KILN_EW_NS scalar
#include "backends/cpu/elementwise/kernels_impl.h"
#undef KILN_EW_NS

namespace kiln::cpu::elementwise {

const KernelTable& kernel_table_scalar() { return scalar::kTable; }

const KernelTable& kernel_table(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return kernel_table_avx512();
    case Isa::kAvx2: return kernel_table_avx2();
    case Isa::kScalar: break;
  }
  return kernel_table_scalar();
}

}  // namespace kiln::cpu::elementwise
