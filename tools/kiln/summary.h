// Human-readable summaries of tensors for `kiln run`.
#pragma once

#include <string>

#include "core/value.h"

namespace kiln::tools {

// "shape 1x1000 float32  min -3.2 max 9.1 mean 0.01  first [..]  top-5 [(idx, score), ...]"
std::string summarize_value(const std::string& name, const Value& v);

}  // namespace kiln::tools
