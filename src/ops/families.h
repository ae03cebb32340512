// The operator families. Each family folder (src/ops/<family>/) holds its ops' inference code and
// one table.cc with a row per op; this list is the single explicit place that registers the
// tables (no static constructors for the linker to drop).
#pragma once

#include <span>

#include "ops/op_schema.h"

namespace kiln {

using OpFamily = std::span<const OpSchema> (*)();

std::span<const OpSchema> elementwise_ops();   // math, activations, logic, comparison, Cast
std::span<const OpSchema> tensor_ops();        // reshape/transpose/slice/gather/scatter/pad/...
std::span<const OpSchema> reduction_ops();     // Reduce*, ArgMax, Softmax, norms, losses
std::span<const OpSchema> nn_ops();            // Conv, pools, Gemm/MatMul, quantization, Resize
std::span<const OpSchema> control_ops();       // If/Loop/Scan, sequences, optionals
std::span<const OpSchema> misc_ops();          // RNNs, signal, text, random, training
std::span<const OpSchema> kiln_ops();          // Kiln's fused ops (domain "kiln"), made by passes

inline std::span<const OpFamily> op_families() {
  static const OpFamily kFamilies[] = {elementwise_ops, tensor_ops, reduction_ops,
                                       nn_ops,          control_ops, misc_ops, kiln_ops};
  return kFamilies;
}

}  // namespace kiln
