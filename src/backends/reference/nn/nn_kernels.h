// Reference kernels of the nn family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {



}  // namespace kiln::reference
