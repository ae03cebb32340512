// The elementwise family: one row per operator.
#include "ops/elementwise/elementwise_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> elementwise_ops() {
  static const OpSchema kOps[] = {
      // Unary math and activations (output type = input type).
      {"", "Abs", infer_unary},
      {"", "Acos", infer_unary},
      {"", "Acosh", infer_unary},
      {"", "Asin", infer_unary},
      {"", "Asinh", infer_unary},
      {"", "Atan", infer_unary},
      {"", "Atanh", infer_unary},
      {"", "Cos", infer_unary},
      {"", "Cosh", infer_unary},
      {"", "Sin", infer_unary},
      {"", "Sinh", infer_unary},
      {"", "Tan", infer_unary},
      {"", "Tanh", infer_unary},
      {"", "Exp", infer_unary},
      {"", "Log", infer_unary},
      {"", "Sqrt", infer_unary},
      {"", "Reciprocal", infer_unary},
      {"", "Neg", infer_unary},
      {"", "Floor", infer_unary},
      {"", "Ceil", infer_unary},
      {"", "Round", infer_unary},
      {"", "Sign", infer_unary},
      {"", "Erf", infer_unary},
      {"", "Not", infer_unary},
      {"", "Relu", infer_unary},
      {"", "LeakyRelu", infer_unary},
      {"", "Elu", infer_unary},
      {"", "Selu", infer_unary},
      {"", "Celu", infer_unary},
      {"", "Sigmoid", infer_unary},
      {"", "HardSigmoid", infer_unary},
      {"", "HardSwish", infer_unary},
      {"", "Softplus", infer_unary},
      {"", "Softsign", infer_unary},
      {"", "ThresholdedRelu", infer_unary},
      {"", "Shrink", infer_unary},
      {"", "IsNaN", infer_unary_to_bool},
      {"", "IsInf", infer_unary_to_bool},
      {"", "Clip", infer_clip},
      {"", "PRelu", infer_prelu},
      // Broadcasting binary ops.
      {"", "Add", infer_arith},
      {"", "Sub", infer_arith},
      {"", "Mul", infer_arith},
      {"", "Div", infer_arith},
      {"", "Mod", infer_arith},
      {"", "BitShift", infer_arith},
      {"", "Pow", infer_pow},
      {"", "And", infer_logical},
      {"", "Or", infer_logical},
      {"", "Xor", infer_logical},
      {"", "Equal", infer_compare},
      {"", "Less", infer_compare},
      {"", "LessOrEqual", infer_compare},
      {"", "Greater", infer_compare},
      {"", "GreaterOrEqual", infer_compare},
      // Variadic and ternary.
      {"", "Max", infer_variadic},
      {"", "Min", infer_variadic},
      {"", "Mean", infer_variadic},
      {"", "Sum", infer_variadic},
      {"", "Where", infer_where},
      // Type conversion.
      {"", "Cast", infer_cast},
      {"", "CastLike", infer_cast_like},
  };
  return kOps;
}

}  // namespace kiln
