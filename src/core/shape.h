// Concrete shapes (runtime) and helpers shared by shape inference and kernels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace kiln {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);                 // 1 for rank 0
std::vector<int64_t> shape_strides(const Shape& shape);  // row-major element strides
std::string shape_str(const Shape& shape);               // "1x3x224x224", "scalar" for rank 0

// Numpy-style multidirectional broadcast of two shapes.
Expected<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Maps a possibly negative axis into [0, rank); error names the axis and the rank.
Expected<int64_t> normalize_axis(int64_t axis, int64_t rank);

// Row-major index iteration helper: given a broadcast output shape and an input shape (right
// aligned), returns the input's element strides in output coordinates (0 where broadcast).
std::vector<int64_t> broadcast_strides(const Shape& input, const Shape& output);

}  // namespace kiln
