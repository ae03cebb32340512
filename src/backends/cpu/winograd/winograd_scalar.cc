// Winograd F(2x2, 3x3) tile transforms, scalar instantiation (winograd_kernel.h).
#include "backends/cpu/simd/ops_scalar.h"
#include "backends/cpu/winograd/winograd_kernel.h"

namespace kiln::cpu {

void wino_input_scalar(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end) {
  WinoKernel<ScalarOps>::input(p, chunk, x, v, l_begin, l_end);
}

void wino_output_scalar(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                        int64_t l_begin, int64_t l_end) {
  WinoKernel<ScalarOps>::output(p, chunk, mt, z, y, l_begin, l_end);
}

}  // namespace kiln::cpu
