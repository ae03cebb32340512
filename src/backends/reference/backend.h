// Lookup into the reference backend's kernel tables.
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

// nullptr when the reference backend has no kernel for (domain, op_type).
KernelFn find_kernel(std::string_view domain, std::string_view op_type);

}  // namespace kiln::reference
