// Rows of the CPU backend's elementwise_kernels table (backends/cpu/backend.h).
#include "backends/cpu/backend.h"
#include "backends/cpu/elementwise/ops.h"

namespace kiln::cpu {

std::span<const PreparedKernelEntry> elementwise_kernels() {
  using namespace elementwise;
  static const PreparedKernelEntry kKernels[] = {
      {"", "Add", prepare_binary},
      {"", "Sub", prepare_binary},
      {"", "Mul", prepare_binary},
      {"", "Div", prepare_binary},
      {"", "Max", prepare_binary},
      {"", "Min", prepare_binary},
      {"", "PRelu", prepare_binary},
      {"", "Pow", prepare_pow},
      {"", "Relu", prepare_unary},
      {"", "LeakyRelu", prepare_unary},
      {"", "Elu", prepare_unary},
      {"", "Sigmoid", prepare_unary},
      {"", "Tanh", prepare_unary},
      {"", "HardSigmoid", prepare_unary},
      {"", "HardSwish", prepare_unary},
      {"", "Erf", prepare_unary},
      {"", "Exp", prepare_unary},
      {"", "Log", prepare_unary},
      {"", "Sqrt", prepare_unary},
      {"", "Neg", prepare_unary},
      {"", "Abs", prepare_unary},
      {"", "Reciprocal", prepare_unary},
      {"", "Floor", prepare_unary},
      {"", "Ceil", prepare_unary},
      {"kiln", "Silu", prepare_unary},
      {"kiln", "Gelu", prepare_unary},
      {"", "Clip", prepare_clip},
      {"", "Cast", prepare_cast},
      {"", "Where", prepare_where},
      {"", "Equal", prepare_compare},
      {"", "Less", prepare_compare},
      {"", "LessOrEqual", prepare_compare},
      {"", "Greater", prepare_compare},
      {"", "GreaterOrEqual", prepare_compare},
      {"", "And", prepare_compare},
      {"", "Or", prepare_compare},
      {"", "Xor", prepare_compare},
      {"", "Not", prepare_compare},
  };
  return kKernels;
}

}  // namespace kiln::cpu
