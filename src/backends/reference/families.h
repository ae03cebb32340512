// The reference backend: obviously-correct kernels, the oracle for every optimized backend.
// One kernel table per op family (src/backends/reference/<family>/table.cc).
#pragma once

#include <span>

#include "backends/kernel.h"

namespace kiln::reference {

std::span<const KernelEntry> elementwise_kernels();
std::span<const KernelEntry> tensor_kernels();
std::span<const KernelEntry> reduction_kernels();
std::span<const KernelEntry> nn_kernels();
std::span<const KernelEntry> control_kernels();
std::span<const KernelEntry> misc_kernels();
std::span<const KernelEntry> kiln_kernels();

}  // namespace kiln::reference
