// The part of a fused activation that the vector epilogue (simd/epilogue.h) leaves out: kinds
// without a cheap vector form (sigmoid, tanh, silu, gelu), applied in float over values already
// stored, followed by activation_affine.
#pragma once

#include <cstdint>

#include "ops/kiln/activation.h"

namespace kiln::cpu {

// activation_in_registers (ops/kiln/activation.h): the kinds simd/epilogue.h's activate() applies.

// y[i] = act(y[i]) * scale + shift for i < n, one thread (callers run it inside their own chunks).
void apply_post_activation(const Activation& act, float* y, int64_t n);

}  // namespace kiln::cpu
