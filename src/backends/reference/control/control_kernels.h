// Reference kernels of the control family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {



}  // namespace kiln::reference
