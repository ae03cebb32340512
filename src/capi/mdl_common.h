// Helpers shared by the aclmdl* entry points (mdl_*.cc).
#pragma once

#include <string>
#include <vector>

#include "acl/acl.h"
#include "offline/gears.h"
#include "offline/offline_model.h"

namespace kiln::capi {

// Output dims at `gear` (-1: the largest); see offline::output_dims_at.
inline std::vector<int64_t> gear_output_dims(const offline::Metadata& meta, size_t o, int gear) {
  return offline::output_dims_at(meta, o, gear);
}
// Copies a name (truncated to 127 characters) and dims into `out`; 100000 past ACL_MAX_DIM_CNT dims.
aclError fill_dims(const std::string& name, const std::vector<int64_t>& dims, aclmdlIODims* out);
// Index of the `ascend_mbatch_shape_data` input, or -1.
int gear_input_index(const offline::Metadata& meta);

}  // namespace kiln::capi
