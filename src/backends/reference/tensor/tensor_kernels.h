// Reference kernels of the tensor family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

Status constant(KernelContext& ctx);
Status identity(KernelContext& ctx);

}  // namespace kiln::reference
