// Winograd tile transforms, avx512 instantiation (winograd_kernel.h).
#include "backends/cpu/simd/ops_avx512.h"
#include "backends/cpu/winograd/winograd_kernel.h"

namespace kiln::cpu {

void wino_input_avx512(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end) {
  wino_input<Avx512Ops>(p, chunk, x, v, l_begin, l_end);
}

void wino_output_avx512(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                        int64_t l_begin, int64_t l_end) {
  wino_output<Avx512Ops>(p, chunk, mt, z, y, l_begin, l_end);
}

}  // namespace kiln::cpu
