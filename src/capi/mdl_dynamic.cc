// Dynamic batch / image size / dims (spec §5.7, §5.8): gear lists from a description, and the
// setters that record a gear in a dataset, write it into the `ascend_mbatch_shape_data` buffer and
// make it the model's current gear (aclmdlGetCurOutputDims).
#include <cstring>

#include "capi/capi.h"
#include "capi/mdl_common.h"
#include "capi/model_handles.h"
#include "capi/model_registry.h"

using namespace kiln;
using offline::GearKind;

namespace {

const char* kind_option(GearKind k) {
  return k == GearKind::kBatch ? "--dynamic_batch_size" : k == GearKind::kImageSize ? "--dynamic_image_size" : "--dynamic_dims";
}

// Checks shared by the three setters, then records `values` (already validated as a gear or not).
aclError set_gear(uint32_t modelId, aclmdlDataset* dataset, size_t index, GearKind kind, const std::vector<int64_t>& values,
                  aclError not_a_gear) {
  if (!capi::live_datasets().live(dataset)) return capi::fail(ACL_ERROR_INVALID_PARAM, "dataset is NULL or not a live dataset");
  auto m = capi::find_model(modelId);
  if (!m) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
  const offline::Metadata& meta = m->runner->meta();
  if (meta.gears.kind != kind || meta.gears.values.empty()) {
    return capi::fail(ACL_ERROR_MODEL_NOT_DYNAMIC, "model {} was not converted with {} (its gears: {})", modelId,
                      kind_option(kind), offline::gear_kind_name(meta.gears.kind));
  }
  const int gear_index = capi::gear_input_index(meta);
  if (gear_index < 0 || index != static_cast<size_t>(gear_index)) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "index {} is not the ascend_mbatch_shape_data input (index {})", index, gear_index);
  }
  if (index >= dataset->buffers.size() || !capi::live_buffers().live(dataset->buffers[index]) ||
      !dataset->buffers[index]->data) {
    return capi::fail(ACL_ERROR_GE_DYNAMIC_INPUT_ADDR_INVALID, "the dataset has no buffer with data at index {} ({} buffers)",
                      index, dataset->buffers.size());
  }
  aclDataBuffer* b = dataset->buffers[index];
  const size_t k = meta.gears.values.front().size();
  if (b->size < 4 * k) {
    return capi::fail(ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID, "the ascend_mbatch_shape_data buffer holds {} bytes, {} needed",
                      b->size, 4 * k);
  }
  const int g = offline::find_gear(meta.gears, values);
  if (g < 0) {
    return capi::fail(not_a_gear, "[{}] is not a gear of model {}; its gears: {}", offline::gear_str(values), modelId,
                      offline::gear_list(meta.gears));
  }
  // The model's gear input is int32 [k]: the values as unsigned 32-bit integers.
  for (size_t j = 0; j < k; ++j) {
    const uint32_t v = static_cast<uint32_t>(values[j]);
    std::memcpy(static_cast<uint8_t*>(b->data) + 4 * j, &v, 4);
  }
  dataset->gear = values;
  m->current_gear->store(g);
  return ACL_SUCCESS;
}

const aclmdlDesc* filled(const aclmdlDesc* d) { return capi::live_descs().live(d) && d->filled ? d : nullptr; }

// Ranks of the framework data inputs and the offset of each in the concatenated dims.
std::vector<size_t> data_offsets(const offline::Metadata& meta, size_t* total) {
  std::vector<size_t> offsets(meta.inputs.size(), 0);
  *total = 0;
  for (size_t i = 0; i < meta.inputs.size(); ++i) {
    offsets[i] = *total;
    if (meta.inputs[i].role == offline::TensorDesc::Role::kData) *total += meta.inputs[i].dims.size();
  }
  return offsets;
}

}  // namespace

extern "C" {

aclError aclmdlSetDynamicBatchSize(uint32_t modelId, aclmdlDataset* dataset, size_t index, uint64_t batchSize) {
  return capi::guard(__func__, [&]() -> aclError {
    if (batchSize == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "batchSize is 0");
    return set_gear(modelId, dataset, index, GearKind::kBatch, {static_cast<int64_t>(batchSize)},
                    ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
  });
}

aclError aclmdlSetDynamicHWSize(uint32_t modelId, aclmdlDataset* dataset, size_t index, uint64_t height, uint64_t width) {
  return capi::guard(__func__, [&]() -> aclError {
    if (height == 0 || width == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "height {} or width {} is 0", height, width);
    return set_gear(modelId, dataset, index, GearKind::kImageSize,
                    {static_cast<int64_t>(height), static_cast<int64_t>(width)}, ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
  });
}

aclError aclmdlSetInputDynamicDims(uint32_t modelId, aclmdlDataset* dataset, size_t index, const aclmdlIODims* dims) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!dims) return capi::fail(ACL_ERROR_INVALID_PARAM, "dims is NULL");
    auto m = capi::find_model(modelId);
    if (!m) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
    const offline::Metadata& meta = m->runner->meta();
    if (meta.gears.kind != GearKind::kDims) {
      return capi::fail(ACL_ERROR_MODEL_NOT_DYNAMIC, "model {} was not converted with --dynamic_dims", modelId);
    }
    size_t total = 0;
    const std::vector<size_t> offsets = data_offsets(meta, &total);
    if (dims->dimCount == 0 || dims->dimCount != total) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "dims.dimCount is {}; the data inputs' dims concatenated are {} values",
                        dims->dimCount, total);
    }
    // Fixed positions must match; the -1 positions, in order, are the gear.
    for (size_t i = 0; i < meta.inputs.size(); ++i) {
      if (meta.inputs[i].role != offline::TensorDesc::Role::kData) continue;
      for (size_t d = 0; d < meta.inputs[i].dims.size(); ++d) {
        const int64_t want = meta.inputs[i].dims[d], got = dims->dims[offsets[i] + d];
        if (want >= 0 && want != got) {
          return capi::fail(ACL_ERROR_INVALID_PARAM, "dims[{}] is {}, but dim {} of input '{}' is fixed at {}", offsets[i] + d,
                            got, d, meta.inputs[i].name, want);
        }
      }
    }
    std::vector<int64_t> values;
    for (const auto& [input, dim] : meta.gears.positions) {
      values.push_back(dims->dims[offsets[static_cast<size_t>(input)] + static_cast<size_t>(dim)]);
    }
    return set_gear(modelId, dataset, index, GearKind::kDims, values, ACL_ERROR_INVALID_PARAM);
  });
}

aclError aclmdlGetDynamicBatch(const aclmdlDesc* modelDesc, aclmdlBatch* batch) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!filled(modelDesc) || !batch) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc (filled) or batch is NULL");
    const offline::Gears& gears = modelDesc->meta.gears;
    batch->batchCount = 0;
    if (gears.kind != GearKind::kBatch) return ACL_SUCCESS;
    if (gears.values.size() > ACL_MAX_BATCH_NUM) return capi::fail(ACL_ERROR_INVALID_PARAM, "{} gears", gears.values.size());
    for (const auto& g : gears.values) batch->batch[batch->batchCount++] = static_cast<uint64_t>(g[0]);
    return ACL_SUCCESS;
  });
}

aclError aclmdlGetDynamicHW(const aclmdlDesc* modelDesc, size_t index, aclmdlHW* hw) {
  (void)index;  // not used (spec §5.7)
  return capi::guard(__func__, [&]() -> aclError {
    if (!filled(modelDesc) || !hw) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc (filled) or hw is NULL");
    const offline::Gears& gears = modelDesc->meta.gears;
    hw->hwCount = 0;
    if (gears.kind != GearKind::kImageSize) return ACL_SUCCESS;
    if (gears.values.size() > ACL_MAX_HW_NUM) return capi::fail(ACL_ERROR_INVALID_PARAM, "{} gears", gears.values.size());
    for (const auto& g : gears.values) {
      hw->hw[hw->hwCount][0] = static_cast<uint64_t>(g[0]);
      hw->hw[hw->hwCount][1] = static_cast<uint64_t>(g[1]);
      ++hw->hwCount;
    }
    return ACL_SUCCESS;
  });
}

aclError aclmdlGetInputDynamicGearCount(const aclmdlDesc* modelDesc, size_t index, size_t* gearCount) {
  (void)index;  // reserved: callers pass (size_t)-1
  return capi::guard(__func__, [&]() -> aclError {
    if (!filled(modelDesc) || !gearCount) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc (filled) or gearCount is NULL");
    const offline::Gears& gears = modelDesc->meta.gears;
    *gearCount = gears.kind == GearKind::kDims ? gears.values.size() : 0;
    return ACL_SUCCESS;
  });
}

aclError aclmdlGetInputDynamicDims(const aclmdlDesc* modelDesc, size_t index, aclmdlIODims* dims, size_t gearCount) {
  (void)index;
  return capi::guard(__func__, [&]() -> aclError {
    if (!filled(modelDesc) || !dims) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDesc (filled) or dims is NULL");
    const offline::Metadata& meta = modelDesc->meta;
    const size_t count = meta.gears.kind == GearKind::kDims ? meta.gears.values.size() : 0;
    if (gearCount != count) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "gearCount is {}, aclmdlGetInputDynamicGearCount reports {}", gearCount, count);
    }
    size_t total = 0;
    const std::vector<size_t> offsets = data_offsets(meta, &total);
    std::vector<int64_t> base;
    for (const auto& in : meta.inputs) {
      if (in.role == offline::TensorDesc::Role::kData) base.insert(base.end(), in.dims.begin(), in.dims.end());
    }
    for (size_t g = 0; g < count; ++g) {
      std::vector<int64_t> full = base;
      const auto& gear = meta.gears.values[g];
      for (size_t p = 0; p < meta.gears.positions.size(); ++p) {
        const auto [input, dim] = meta.gears.positions[p];
        full[offsets[static_cast<size_t>(input)] + static_cast<size_t>(dim)] = gear[p % gear.size()];
      }
      if (aclError e = capi::fill_dims("", full, &dims[g]); e != ACL_SUCCESS) return e;
    }
    return ACL_SUCCESS;
  });
}

}  // extern "C"
