#include "capi/mdl_common.h"

#include <algorithm>
#include <cstring>

#include "capi/capi.h"

namespace kiln::capi {

aclError fill_dims(const std::string& name, const std::vector<int64_t>& dims, aclmdlIODims* out) {
  if (dims.size() > ACL_MAX_DIM_CNT) {
    return fail(ACL_ERROR_INVALID_PARAM, "'{}' has {} dims, more than ACL_MAX_DIM_CNT ({})", name, dims.size(), ACL_MAX_DIM_CNT);
  }
  std::memset(out->name, 0, sizeof(out->name));
  std::memcpy(out->name, name.data(), std::min(name.size(), sizeof(out->name) - 1));
  out->dimCount = dims.size();
  std::copy(dims.begin(), dims.end(), out->dims);
  return ACL_SUCCESS;
}

int gear_input_index(const offline::Metadata& meta) {
  for (size_t i = 0; i < meta.inputs.size(); ++i) {
    if (meta.inputs[i].role == offline::TensorDesc::Role::kDynamicGear) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace kiln::capi
