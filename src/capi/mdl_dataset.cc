// Datasets (spec §5.2): ordered lists of aclDataBuffer pointers plus the gear chosen for them.

#include "capi/capi.h"
#include "capi/model_handles.h"

using namespace kiln;

extern "C" {

aclmdlDataset* aclmdlCreateDataset(void) {
  return capi::create_handle(__func__, capi::live_datasets(), [](aclmdlDataset&) {});
}

aclError aclmdlDestroyDataset(const aclmdlDataset* dataset) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!dataset) return capi::fail(ACL_ERROR_INVALID_PARAM, "dataset is NULL");
    if (!capi::live_datasets().remove(dataset)) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "dataset {} is not a live dataset (destroyed already?)",
                        static_cast<const void*>(dataset));
    }
    delete dataset;
    return ACL_SUCCESS;
  });
}

aclError aclmdlAddDatasetBuffer(aclmdlDataset* dataset, aclDataBuffer* dataBuffer) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!capi::live_datasets().live(dataset)) return capi::fail(ACL_ERROR_INVALID_PARAM, "dataset is NULL or not a live dataset");
    if (!capi::live_buffers().live(dataBuffer)) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "dataBuffer is NULL or not a live data buffer");
    }
    dataset->buffers.push_back(dataBuffer);
    return ACL_SUCCESS;
  });
}

size_t aclmdlGetDatasetNumBuffers(const aclmdlDataset* dataset) {
  return capi::live_datasets().live(dataset) ? dataset->buffers.size() : 0;
}

aclDataBuffer* aclmdlGetDatasetBuffer(const aclmdlDataset* dataset, size_t index) {
  if (!capi::live_datasets().live(dataset) || index >= dataset->buffers.size()) return nullptr;
  return dataset->buffers[index];
}

}  // extern "C"
