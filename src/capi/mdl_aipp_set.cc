// Dynamic AIPP parameter sets (spec §5.10, aipp.md §9): aclmdlAIPP holds per-image parameters;
// aclmdlSetInputAIPP validates them (through the same decoder the kiln.Aipp kernel uses) and
// writes the serialised block into the `ascend_dynamic_aipp_data` input's buffer.
#include <cstring>

#include "capi/capi.h"
#include "capi/model_handles.h"
#include "capi/model_registry.h"

using namespace kiln;
using offline::TensorDesc;

namespace {

aclmdlAIPP* live(aclmdlAIPP* a) { return kiln::capi::live_aipps().live(a) ? a : nullptr; }

aclError bad_set() { return capi::fail(ACL_ERROR_INVALID_PARAM, "aippParmsSet is NULL or not a live parameter set"); }

aclError check_switch(const char* name, int8_t v) {
  if (v == 0 || v == 1) return ACL_SUCCESS;
  return capi::fail(ACL_ERROR_INVALID_PARAM, "{} is {}; a switch is 0 or 1", name, v);
}

// Runs `f` on image `batchIndex` of a live set after the common checks.
template <typename F>
aclError per_image(aclmdlAIPP* set, uint64_t batchIndex, F&& f) {
  if (!live(set)) return bad_set();
  if (batchIndex >= set->per_batch.size()) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "batchIndex {} is out of range: the set holds {} images", batchIndex, set->per_batch.size());
  }
  return f(set->per_batch[batchIndex]);
}

template <typename F>
aclError all_images(aclmdlAIPP* set, F&& f) {
  if (!live(set)) return bad_set();
  for (aipp::Params& p : set->per_batch) f(p);
  return ACL_SUCCESS;
}

aclError set_input(uint32_t modelId, aclmdlDataset* dataset, size_t index, const aclmdlAIPP* set) {
  if (!capi::live_aipps().live(set)) return bad_set();
  if (!capi::live_datasets().live(dataset)) return capi::fail(ACL_ERROR_INVALID_PARAM, "dataset is NULL or not a live dataset");
  auto m = capi::find_model(modelId);
  if (!m) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
  const offline::Metadata& meta = m->runner->meta();
  if (index >= meta.inputs.size() || meta.inputs[index].role != TensorDesc::Role::kDynamicAipp) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "input {} is not an ascend_dynamic_aipp_data input of model {}", index, modelId);
  }
  if (!set->format_set) return capi::fail(ACL_ERROR_INVALID_PARAM, "the set has no input format (aclmdlSetAIPPInputFormat)");
  const std::vector<uint8_t> block = aipp::encode_dynamic_block(set->per_batch);
  for (size_t b = 0; b < set->per_batch.size(); ++b) {
    auto decoded = aipp::decode_dynamic_block(block.data(), block.size(), static_cast<int64_t>(b));
    if (!decoded) return capi::fail(ACL_ERROR_GE_AIPP_MODE_INVALID, "{}", decoded.status().message());
  }
  const aipp::Params& first = set->per_batch.front();
  const int aipp_index = meta.inputs[index].aipp_index;
  if (aipp_index >= 0 && static_cast<size_t>(aipp_index) < meta.aipp.size()) {
    const uint64_t max_bytes = meta.aipp[static_cast<size_t>(aipp_index)].max_src_image_size;
    const int64_t need = static_cast<int64_t>(set->per_batch.size()) * first.image_bytes(first.src_image_size_w, first.src_image_size_h);
    if (max_bytes > 0 && static_cast<uint64_t>(need) > max_bytes) {
      return capi::fail(ACL_ERROR_GE_AIPP_MODE_INVALID, "{} images of {}x{} need {} bytes, more than the model's max_src_image_size {}",
                        set->per_batch.size(), first.src_image_size_w, first.src_image_size_h, need, max_bytes);
    }
  }
  // Each image must come out of AIPP at the network input's size ([N, H, W, C] of the data input).
  for (const TensorDesc& data : meta.inputs) {
    if (data.role != TensorDesc::Role::kData || data.aipp_index != aipp_index || data.dims.size() != 4) continue;
    for (size_t b = 0; b < set->per_batch.size(); ++b) {
      const aipp::Params& p = set->per_batch[b];
      const aipp::CropWindow crop = aipp::crop_window(p);
      int64_t h = p.resize ? p.resize_output_h : crop.h, w = p.resize ? p.resize_output_w : crop.w;
      if (p.padding) h += p.top_padding_size + p.bottom_padding_size, w += p.left_padding_size + p.right_padding_size;
      if ((data.dims[1] > 0 && h != data.dims[1]) || (data.dims[2] > 0 && w != data.dims[2])) {
        return capi::fail(ACL_ERROR_GE_AIPP_MODE_INVALID,
                          "image {} comes out of AIPP as {}x{} (crop, resize, padding), the network input '{}' takes {}x{}",
                          b, w, h, data.name, data.dims[2], data.dims[1]);
      }
    }
  }
  if (index >= dataset->buffers.size() || !capi::live_buffers().live(dataset->buffers[index]) ||
      !dataset->buffers[index]->data) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "the dataset has no buffer with data at index {}", index);
  }
  aclDataBuffer* buffer = dataset->buffers[index];
  if (buffer->size < block.size()) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "buffer {} holds {} bytes; the parameter block of {} images needs {}", index,
                      buffer->size, set->per_batch.size(), block.size());
  }
  std::memcpy(buffer->data, block.data(), block.size());
  return ACL_SUCCESS;
}

}  // namespace

extern "C" {

aclmdlAIPP* aclmdlCreateAIPP(uint64_t batchSize) {
  if (batchSize == 0 || batchSize > 127) {  // the block's batchNum is an int8
    capi::fail(ACL_ERROR_INVALID_PARAM, "aclmdlCreateAIPP: batchSize {} is out of range [1, 127]", batchSize);
    return nullptr;
  }
  return capi::create_handle(__func__, capi::live_aipps(), [&](aclmdlAIPP& a) {
    a.per_batch.resize(batchSize);
    for (aipp::Params& p : a.per_batch) p.mode = aipp::Mode::kDynamic;
  });
}

aclError aclmdlDestroyAIPP(const aclmdlAIPP* aippParmsSet) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!aippParmsSet || !capi::live_aipps().remove(aippParmsSet)) return bad_set();
    delete aippParmsSet;
    return ACL_SUCCESS;
  });
}

aclError aclmdlGetAippDataSize(uint64_t batchSize, size_t* size) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!size) return capi::fail(ACL_ERROR_INVALID_PARAM, "size is NULL");
    if (batchSize == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "batchSize is 0");
    *size = aipp::dynamic_block_bytes(static_cast<int64_t>(batchSize));
    return ACL_SUCCESS;
  });
}

aclError aclmdlSetAIPPInputFormat(aclmdlAIPP* aippParmsSet, aclAippInputFormat inputFormat) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live(aippParmsSet)) return bad_set();
    if (inputFormat < ACL_YUV420SP_U8 || inputFormat > ACL_RAW24) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "inputFormat {} is not an aclAippInputFormat", static_cast<int>(inputFormat));
    }
    aippParmsSet->format_set = true;
    return all_images(aippParmsSet, [&](aipp::Params& p) { p.input_format = static_cast<aipp::InputFormat>(static_cast<int>(inputFormat)); });
  });
}

aclError aclmdlSetAIPPCscParams(aclmdlAIPP* aippParmsSet, int8_t cscSwitch, int16_t r0c0, int16_t r0c1, int16_t r0c2,
                                int16_t r1c0, int16_t r1c1, int16_t r1c2, int16_t r2c0, int16_t r2c1, int16_t r2c2,
                                uint8_t outBias0, uint8_t outBias1, uint8_t outBias2, uint8_t inBias0, uint8_t inBias1,
                                uint8_t inBias2) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live(aippParmsSet)) return bad_set();
    if (aclError e = check_switch("cscSwitch", cscSwitch); e != ACL_SUCCESS) return e;
    return all_images(aippParmsSet, [&](aipp::Params& p) {
      p.csc_switch = cscSwitch != 0;
      p.matrix = {r0c0, r0c1, r0c2, r1c0, r1c1, r1c2, r2c0, r2c1, r2c2};
      p.output_bias = {outBias0, outBias1, outBias2};
      p.input_bias = {inBias0, inBias1, inBias2};
    });
  });
}

aclError aclmdlSetAIPPRbuvSwapSwitch(aclmdlAIPP* aippParmsSet, int8_t rbuvSwapSwitch) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live(aippParmsSet)) return bad_set();
    if (aclError e = check_switch("rbuvSwapSwitch", rbuvSwapSwitch); e != ACL_SUCCESS) return e;
    return all_images(aippParmsSet, [&](aipp::Params& p) { p.rbuv_swap_switch = rbuvSwapSwitch != 0; });
  });
}

aclError aclmdlSetAIPPAxSwapSwitch(aclmdlAIPP* aippParmsSet, int8_t axSwapSwitch) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live(aippParmsSet)) return bad_set();
    if (aclError e = check_switch("axSwapSwitch", axSwapSwitch); e != ACL_SUCCESS) return e;
    return all_images(aippParmsSet, [&](aipp::Params& p) { p.ax_swap_switch = axSwapSwitch != 0; });
  });
}

aclError aclmdlSetAIPPSrcImageSize(aclmdlAIPP* aippParmsSet, int32_t srcImageSizeW, int32_t srcImageSizeH) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live(aippParmsSet)) return bad_set();
    if (srcImageSizeW <= 0 || srcImageSizeH <= 0) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "source image size {}x{} must be positive", srcImageSizeW, srcImageSizeH);
    }
    return all_images(aippParmsSet, [&](aipp::Params& p) {
      p.src_image_size_w = srcImageSizeW;
      p.src_image_size_h = srcImageSizeH;
    });
  });
}

aclError aclmdlSetAIPPScfParams(aclmdlAIPP* aippParmsSet, int8_t scfSwitch, int32_t scfInputSizeW, int32_t scfInputSizeH,
                                int32_t scfOutputSizeW, int32_t scfOutputSizeH, uint64_t batchIndex) {
  return capi::guard(__func__, [&]() -> aclError {
    if (aclError e = check_switch("scfSwitch", scfSwitch); e != ACL_SUCCESS) return e;
    return per_image(aippParmsSet, batchIndex, [&](aipp::Params& p) -> aclError {
      // The resize input is the crop window (or the whole source): the block derives it from
      // those, so a different value here is a caller error.
      const int32_t in_w = p.crop ? p.crop_size_w : p.src_image_size_w, in_h = p.crop ? p.crop_size_h : p.src_image_size_h;
      if (scfSwitch && (scfInputSizeW != in_w || scfInputSizeH != in_h)) {
        return capi::fail(ACL_ERROR_GE_AIPP_MODE_INVALID, "scfInputSize {}x{} must equal the crop (or source) size {}x{}; set "
                          "the source size and crop first", scfInputSizeW, scfInputSizeH, in_w, in_h);
      }
      p.resize = scfSwitch != 0;
      p.resize_output_w = scfOutputSizeW;
      p.resize_output_h = scfOutputSizeH;
      return ACL_SUCCESS;
    });
  });
}

aclError aclmdlSetAIPPCropParams(aclmdlAIPP* aippParmsSet, int8_t cropSwitch, int32_t cropStartPosW, int32_t cropStartPosH,
                                 int32_t cropSizeW, int32_t cropSizeH, uint64_t batchIndex) {
  return capi::guard(__func__, [&]() -> aclError {
    if (aclError e = check_switch("cropSwitch", cropSwitch); e != ACL_SUCCESS) return e;
    return per_image(aippParmsSet, batchIndex, [&](aipp::Params& p) -> aclError {
      p.crop = cropSwitch != 0;
      p.load_start_pos_w = cropStartPosW, p.load_start_pos_h = cropStartPosH;
      p.crop_size_w = cropSizeW, p.crop_size_h = cropSizeH;
      return ACL_SUCCESS;
    });
  });
}

aclError aclmdlSetAIPPPaddingParams(aclmdlAIPP* aippParmsSet, int8_t paddingSwitch, int32_t paddingSizeTop,
                                    int32_t paddingSizeBottom, int32_t paddingSizeLeft, int32_t paddingSizeRight,
                                    uint64_t batchIndex) {
  return capi::guard(__func__, [&]() -> aclError {
    if (aclError e = check_switch("paddingSwitch", paddingSwitch); e != ACL_SUCCESS) return e;
    return per_image(aippParmsSet, batchIndex, [&](aipp::Params& p) -> aclError {
      p.padding = paddingSwitch != 0;
      p.top_padding_size = paddingSizeTop, p.bottom_padding_size = paddingSizeBottom;
      p.left_padding_size = paddingSizeLeft, p.right_padding_size = paddingSizeRight;
      return ACL_SUCCESS;
    });
  });
}

aclError aclmdlSetAIPPDtcPixelMean(aclmdlAIPP* aippParmsSet, int16_t mean0, int16_t mean1, int16_t mean2, int16_t mean3,
                                   uint64_t batchIndex) {
  return capi::guard(__func__, [&]() -> aclError {
    return per_image(aippParmsSet, batchIndex, [&](aipp::Params& p) -> aclError {
      p.mean_chn = {mean0, mean1, mean2, mean3};
      return ACL_SUCCESS;
    });
  });
}

aclError aclmdlSetAIPPDtcPixelMin(aclmdlAIPP* aippParmsSet, float min0, float min1, float min2, float min3, uint64_t batchIndex) {
  return capi::guard(__func__, [&]() -> aclError {
    return per_image(aippParmsSet, batchIndex, [&](aipp::Params& p) -> aclError {
      p.min_chn = {min0, min1, min2, min3};
      return ACL_SUCCESS;
    });
  });
}

aclError aclmdlSetAIPPPixelVarReci(aclmdlAIPP* aippParmsSet, float reci0, float reci1, float reci2, float reci3,
                                   uint64_t batchIndex) {
  return capi::guard(__func__, [&]() -> aclError {
    return per_image(aippParmsSet, batchIndex, [&](aipp::Params& p) -> aclError {
      p.var_reci_chn = {reci0, reci1, reci2, reci3};
      return ACL_SUCCESS;
    });
  });
}

aclError aclmdlSetInputAIPP(uint32_t modelId, aclmdlDataset* dataset, size_t index, const aclmdlAIPP* aippParmsSet) {
  return capi::guard(__func__, [&] { return set_input(modelId, dataset, index, aippParmsSet); });
}

aclError aclmdlSetAIPPByInputIndex(uint32_t modelId, aclmdlDataset* dataset, size_t index, const aclmdlAIPP* aippParmsSet) {
  return capi::guard(__func__, [&]() -> aclError {
    auto m = capi::find_model(modelId);
    if (!m) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
    const offline::Metadata& meta = m->runner->meta();
    if (index >= meta.inputs.size() || meta.inputs[index].role != TensorDesc::Role::kData || meta.inputs[index].aipp_index < 0) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "input {} of model {} is not a data input with dynamic AIPP", index, modelId);
    }
    for (size_t i = 0; i < meta.inputs.size(); ++i) {
      if (meta.inputs[i].role == TensorDesc::Role::kDynamicAipp && meta.inputs[i].aipp_index == meta.inputs[index].aipp_index) {
        return set_input(modelId, dataset, i, aippParmsSet);
      }
    }
    return capi::fail(ACL_ERROR_INVALID_PARAM, "input {} of model {} has static AIPP, not dynamic", index, modelId);
  });
}

}  // extern "C"
