// NumPy .npy files (format versions 1-3, little-endian, C order).
#pragma once

#include <string>

#include "core/tensor.h"

namespace kiln {

Expected<Tensor> read_npy(const std::string& path);
Expected<Tensor> parse_npy(const std::string& bytes, const std::string& display_name);
std::string serialize_npy(const Tensor& t);
Status write_npy(const std::string& path, const Tensor& t);  // atomic

}  // namespace kiln
