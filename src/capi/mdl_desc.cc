// Model descriptions and their getters (spec §5.3, §5.6): a copy of a loaded model's interface
// that stays valid after the model is unloaded.
#include <functional>

#include "capi/capi.h"
#include "capi/mdl_common.h"
#include "capi/model_handles.h"
#include "capi/model_registry.h"

using namespace kiln;
using offline::TensorDesc;

namespace {

const aclmdlDesc* filled(const aclmdlDesc* d) { return capi::live_descs().live(d) && d->filled ? d : nullptr; }

const TensorDesc* io(const aclmdlDesc* d, size_t index, bool input) {
  if (!filled(d)) return nullptr;
  const auto& list = input ? d->meta.inputs : d->meta.outputs;
  return index < list.size() ? &list[index] : nullptr;
}

aclError bad_io(const aclmdlDesc* d, size_t index, bool input) {
  if (!capi::live_descs().live(d)) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc is NULL or not a live description");
  if (!d->filled) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc was not filled by aclmdlGetDesc");
  return capi::fail(ACL_ERROR_INVALID_PARAM, "{} index {} is out of range: the model has {} {}s", input ? "input" : "output",
                    index, input ? d->meta.inputs.size() : d->meta.outputs.size(), input ? "input" : "output");
}

aclError get_dims(const aclmdlDesc* d, size_t index, aclmdlIODims* dims, bool input, int which) {
  const TensorDesc* t = io(d, index, input);
  if (!t) return bad_io(d, index, input);
  if (!dims) return capi::fail(ACL_ERROR_INVALID_PARAM, "dims is NULL");
  std::vector<int64_t> v = t->dims;
  if (which == 2 && !t->dims_v2.empty()) v = t->dims_v2;  // V2: raw-byte dims of AIPP inputs
  if (!input && which != 2) {
    // Outputs: the largest gear (GetOutputDims) or the model's current gear (GetCurOutputDims).
    int gear = d->default_gear;
    if (which == 3 && d->current && d->current->load() >= 0) gear = d->current->load();
    v = capi::gear_output_dims(d->meta, index, gear);
  }
  // A name that does not fit aclmdlIODims::name is reported in the real stack's replacement form
  // (the index-by-name getters still accept the original).
  std::string name = t->name;
  if (name.size() >= ACL_MAX_TENSOR_NAME_LEN) {
    name = fmt::format("acl_modelId_{}_{}_{}_{:08x}", d->model_id, input ? "input" : "output", index,
                       static_cast<uint32_t>(std::hash<std::string>()(t->name)));
  }
  return capi::fill_dims(name, v, dims);
}

aclError index_by_name(const aclmdlDesc* d, const char* name, size_t* index, bool input) {
  if (!filled(d)) return bad_io(d, 0, input);
  if (!name || !index) return capi::fail(ACL_ERROR_INVALID_PARAM, "name or index is NULL");
  const auto& list = input ? d->meta.inputs : d->meta.outputs;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].name == name) {
      *index = i;
      return ACL_SUCCESS;
    }
  }
  return capi::fail(ACL_ERROR_INVALID_PARAM, "the model has no {} named '{}'", input ? "input" : "output", name);
}

aclFormat format_of(const TensorDesc* t) { return t ? static_cast<aclFormat>(static_cast<int>(t->format)) : ACL_FORMAT_UNDEFINED; }

}  // namespace

extern "C" {

aclmdlDesc* aclmdlCreateDesc(void) {
  return capi::create_handle(__func__, capi::live_descs(), [](aclmdlDesc&) {});
}

aclError aclmdlDestroyDesc(aclmdlDesc* modelDesc) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!modelDesc) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc is NULL");
    if (!capi::live_descs().remove(modelDesc)) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc is not a live description");
    delete modelDesc;
    return ACL_SUCCESS;
  });
}

aclError aclmdlGetDesc(aclmdlDesc* modelDesc, uint32_t modelId) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!capi::live_descs().live(modelDesc)) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc is NULL or not a live description");
    auto m = capi::find_model(modelId);
    if (!m) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
    modelDesc->meta = m->runner->meta();
    modelDesc->model_id = modelId;
    modelDesc->default_gear = m->runner->default_gear();
    modelDesc->current = m->current_gear;
    modelDesc->filled = true;
    return ACL_SUCCESS;
  });
}

size_t aclmdlGetNumInputs(aclmdlDesc* modelDesc) { return filled(modelDesc) ? modelDesc->meta.inputs.size() : 0; }
size_t aclmdlGetNumOutputs(aclmdlDesc* modelDesc) { return filled(modelDesc) ? modelDesc->meta.outputs.size() : 0; }

size_t aclmdlGetInputSizeByIndex(aclmdlDesc* modelDesc, size_t index) {
  const TensorDesc* t = io(modelDesc, index, true);
  return t && t->bytes > 0 ? static_cast<size_t>(t->bytes) : 0;
}

size_t aclmdlGetOutputSizeByIndex(aclmdlDesc* modelDesc, size_t index) {
  const TensorDesc* t = io(modelDesc, index, false);
  return t && t->bytes > 0 ? static_cast<size_t>(t->bytes) : 0;
}

aclError aclmdlGetInputDims(const aclmdlDesc* modelDesc, size_t index, aclmdlIODims* dims) {
  return capi::guard(__func__, [&] { return get_dims(modelDesc, index, dims, true, 1); });
}
aclError aclmdlGetInputDimsV2(const aclmdlDesc* modelDesc, size_t index, aclmdlIODims* dims) {
  return capi::guard(__func__, [&] { return get_dims(modelDesc, index, dims, true, 2); });
}
aclError aclmdlGetOutputDims(const aclmdlDesc* modelDesc, size_t index, aclmdlIODims* dims) {
  return capi::guard(__func__, [&] { return get_dims(modelDesc, index, dims, false, 1); });
}
aclError aclmdlGetCurOutputDims(const aclmdlDesc* modelDesc, size_t index, aclmdlIODims* dims) {
  return capi::guard(__func__, [&] { return get_dims(modelDesc, index, dims, false, 3); });
}

aclError aclmdlGetInputDimsRange(const aclmdlDesc* modelDesc, size_t index, aclmdlIODimsRange* dimsRange) {
  return capi::guard(__func__, [&]() -> aclError {
    const TensorDesc* t = io(modelDesc, index, true);
    if (!t) return bad_io(modelDesc, index, true);
    if (!dimsRange) return capi::fail(ACL_ERROR_INVALID_PARAM, "dimsRange is NULL");
    if (t->dims.size() > ACL_MAX_DIM_CNT) return capi::fail(ACL_ERROR_INVALID_PARAM, "input {} has {} dims", index, t->dims.size());
    // Kiln records no shape ranges: a known dim is [d, d], an unknown one [1, -1] (unbounded).
    dimsRange->rangeCount = t->dims.size();
    for (size_t i = 0; i < t->dims.size(); ++i) {
      dimsRange->range[i][0] = t->dims[i] < 0 ? 1 : t->dims[i];
      dimsRange->range[i][1] = t->dims[i];
    }
    return ACL_SUCCESS;
  });
}

const char* aclmdlGetInputNameByIndex(const aclmdlDesc* modelDesc, size_t index) {
  const TensorDesc* t = io(modelDesc, index, true);
  return t ? t->name.c_str() : "";
}
const char* aclmdlGetOutputNameByIndex(const aclmdlDesc* modelDesc, size_t index) {
  const TensorDesc* t = io(modelDesc, index, false);
  return t ? t->name.c_str() : "";
}

aclFormat aclmdlGetInputFormat(const aclmdlDesc* modelDesc, size_t index) { return format_of(io(modelDesc, index, true)); }
aclFormat aclmdlGetOutputFormat(const aclmdlDesc* modelDesc, size_t index) { return format_of(io(modelDesc, index, false)); }

aclDataType aclmdlGetInputDataType(const aclmdlDesc* modelDesc, size_t index) {
  const TensorDesc* t = io(modelDesc, index, true);
  return t ? capi::to_acl(t->dtype) : ACL_DT_UNDEFINED;
}
aclDataType aclmdlGetOutputDataType(const aclmdlDesc* modelDesc, size_t index) {
  const TensorDesc* t = io(modelDesc, index, false);
  return t ? capi::to_acl(t->dtype) : ACL_DT_UNDEFINED;
}

aclError aclmdlGetInputIndexByName(const aclmdlDesc* modelDesc, const char* name, size_t* index) {
  return capi::guard(__func__, [&] { return index_by_name(modelDesc, name, index, true); });
}
aclError aclmdlGetOutputIndexByName(const aclmdlDesc* modelDesc, const char* name, size_t* index) {
  return capi::guard(__func__, [&] { return index_by_name(modelDesc, name, index, false); });
}

}  // extern "C"
