// Winograd tile transforms, avx2 instantiation (winograd_kernel.h).
#include "backends/cpu/simd/ops_avx2.h"
#include "backends/cpu/winograd/winograd_kernel.h"

namespace kiln::cpu {

void wino_input_avx2(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end) {
  wino_input<Avx2Ops>(p, chunk, x, v, l_begin, l_end);
}

void wino_output_avx2(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                      int64_t l_begin, int64_t l_end) {
  wino_output<Avx2Ops>(p, chunk, mt, z, y, l_begin, l_end);
}

}  // namespace kiln::cpu
