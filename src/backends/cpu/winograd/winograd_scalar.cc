// Winograd tile transforms, scalar instantiation (winograd_kernel.h).
#include "backends/cpu/simd/ops_scalar.h"
#include "backends/cpu/winograd/winograd_kernel.h"

namespace kiln::cpu {

void wino_input_scalar(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end) {
  wino_input<ScalarOps>(p, chunk, x, v, l_begin, l_end);
}

void wino_output_scalar(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                        int64_t l_begin, int64_t l_end) {
  wino_output<ScalarOps>(p, chunk, mt, z, y, l_begin, l_end);
}

}  // namespace kiln::cpu
