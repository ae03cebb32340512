// Kiln's built-in single-operator kernels for aclopExecuteV2 / aclopCast (spec §6.2): Cast and
// ArgMaxV2, on dense little-endian buffers described by AscendCL data types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "core/status.h"

namespace kiln::capi {

// Element-wise conversion of `count` elements. Float -> float16 rounds to nearest even, or toward
// zero with `truncate`; float -> integer rounds toward zero and saturates (NaN -> 0).
Status cast_elements(aclDataType src_type, const void* src, aclDataType dst_type, void* dst, size_t count, bool truncate);
bool cast_supported(aclDataType t);

// Index of the maximum of x (`dims`, float16/float32/double/integer) along `axis` (negative counts
// from the end); ties -> smallest index, NaN compares greater than everything. Writes int32 or
// int64 indices (`out_type`), shape = dims without the axis.
Status argmax(aclDataType x_type, const void* x, const std::vector<int64_t>& dims, int64_t axis, aclDataType out_type, void* out);

}  // namespace kiln::capi
