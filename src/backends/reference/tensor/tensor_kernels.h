// Reference kernels of the tensor family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

Status identity(KernelContext& ctx);

}  // namespace kiln::reference
