// Reference kernels of the reduction family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {



}  // namespace kiln::reference
