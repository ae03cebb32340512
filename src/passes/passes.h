// Every graph pass (one per file), listed in pipeline.cc in the order they run.
#pragma once

#include "passes/pass.h"

namespace kiln {

}  // namespace kiln
