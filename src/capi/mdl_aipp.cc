// AIPP queries (spec §5.9): which inputs carry static / dynamic AIPP, and the static parameters.
#include <cstring>

#include "capi/capi.h"
#include "capi/mdl_common.h"
#include "capi/model_handles.h"
#include "capi/model_registry.h"

using namespace kiln;
using offline::TensorDesc;

namespace {

struct AippOut {
  int64_t c = 0, h = 0, w = 0;
};

// The network-side image AIPP produces: crop window -> resize -> padding, C channels.
AippOut aipp_output(const aipp::Params& p, int64_t channels) {
  const aipp::CropWindow crop = aipp::crop_window(p);
  AippOut o{channels, p.resize ? p.resize_output_h : crop.h, p.resize ? p.resize_output_w : crop.w};
  if (p.padding) {
    o.h += p.top_padding_size + p.bottom_padding_size;
    o.w += p.left_padding_size + p.right_padding_size;
  }
  return o;
}

void fill_info(const offline::Metadata& meta, const TensorDesc& in, const aipp::Params& p, aclAippInfo* info) {
  std::memset(info, 0, sizeof(*info));
  info->inputFormat = static_cast<aclAippInputFormat>(static_cast<int>(p.input_format));
  info->srcImageSizeW = p.src_image_size_w;
  info->srcImageSizeH = p.src_image_size_h;
  info->cropSwitch = p.crop;
  info->loadStartPosW = p.load_start_pos_w;
  info->loadStartPosH = p.load_start_pos_h;
  info->cropSizeW = p.crop_size_w;
  info->cropSizeH = p.crop_size_h;
  info->resizeSwitch = p.resize;
  info->resizeOutputW = p.resize_output_w;
  info->resizeOutputH = p.resize_output_h;
  info->paddingSwitch = p.padding;
  info->leftPaddingSize = p.left_padding_size;
  info->rightPaddingSize = p.right_padding_size;
  info->topPaddingSize = p.top_padding_size;
  info->bottomPaddingSize = p.bottom_padding_size;
  info->cscSwitch = p.csc_switch;
  info->rbuvSwapSwitch = p.rbuv_swap_switch;
  info->axSwapSwitch = p.ax_swap_switch;
  info->singleLineMode = p.single_line_mode;
  int32_t* matrix[9] = {&info->matrixR0C0, &info->matrixR0C1, &info->matrixR0C2, &info->matrixR1C0, &info->matrixR1C1,
                        &info->matrixR1C2, &info->matrixR2C0, &info->matrixR2C1, &info->matrixR2C2};
  for (int k = 0; k < 9; ++k) *matrix[k] = p.matrix[static_cast<size_t>(k)];
  info->outputBias0 = p.output_bias[0], info->outputBias1 = p.output_bias[1], info->outputBias2 = p.output_bias[2];
  info->inputBias0 = p.input_bias[0], info->inputBias1 = p.input_bias[1], info->inputBias2 = p.input_bias[2];
  info->meanChn0 = p.mean_chn[0], info->meanChn1 = p.mean_chn[1], info->meanChn2 = p.mean_chn[2], info->meanChn3 = p.mean_chn[3];
  info->minChn0 = p.min_chn[0], info->minChn1 = p.min_chn[1], info->minChn2 = p.min_chn[2], info->minChn3 = p.min_chn[3];
  info->varReciChn0 = p.var_reci_chn[0], info->varReciChn1 = p.var_reci_chn[1];
  info->varReciChn2 = p.var_reci_chn[2], info->varReciChn3 = p.var_reci_chn[3];
  info->srcFormat = ACL_FORMAT_NHWC;
  info->srcDatatype = ACL_UINT8;
  info->srcDimNum = 4;
  info->aippExtend = nullptr;
  // One entry per gear (batch gears change N); one for a model without gears.
  std::vector<int64_t> batches;
  if (meta.gears.kind == offline::GearKind::kBatch && !in.dims.empty() && in.dims[0] < 0) {
    for (const auto& g : meta.gears.values) batches.push_back(g[0]);
  } else {
    batches.push_back(in.dims.empty() || in.dims[0] < 0 ? 1 : in.dims[0]);
  }
  const int64_t channels = in.dims.size() == 4 ? in.dims[3] : 3;
  const AippOut out = aipp_output(p, channels);
  info->shapeCount = std::min<size_t>(batches.size(), ACL_MAX_SHAPE_COUNT);
  for (size_t g = 0; g < info->shapeCount; ++g) {
    const int64_t n = batches[g];
    aclAippDims& d = info->outDims[g];
    kiln::capi::fill_dims(in.name, {n, p.src_image_size_h, p.src_image_size_w, channels}, &d.srcDims);
    d.srcSize = static_cast<size_t>(n * p.image_bytes(p.src_image_size_w, p.src_image_size_h));
    kiln::capi::fill_dims(in.name, {n, out.c, out.h, out.w}, &d.aippOutdims);
    d.aippOutSize = static_cast<size_t>(n * out.c * out.h * out.w) * sizeof(float);
  }
}

}  // namespace

extern "C" {

aclError aclmdlGetAippType(uint32_t modelId, size_t index, aclmdlInputAippType* type, size_t* dynamicAttachedDataIndex) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!type || !dynamicAttachedDataIndex) return capi::fail(ACL_ERROR_INVALID_PARAM, "type or dynamicAttachedDataIndex is NULL");
    auto m = capi::find_model(modelId);
    if (!m) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
    const offline::Metadata& meta = m->runner->meta();
    if (index >= meta.inputs.size()) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "input index {} is out of range: the model has {} inputs", index, meta.inputs.size());
    }
    const TensorDesc& in = meta.inputs[index];
    *type = ACL_DATA_WITHOUT_AIPP;
    *dynamicAttachedDataIndex = ACL_INVALID_NODE_INDEX;
    if (in.role == TensorDesc::Role::kDynamicAipp) {
      *type = ACL_DYNAMIC_AIPP_NODE;
    } else if (in.aipp_index >= 0 && static_cast<size_t>(in.aipp_index) < meta.aipp.size()) {
      if (meta.aipp[static_cast<size_t>(in.aipp_index)].mode == aipp::Mode::kDynamic) {
        *type = ACL_DATA_WITH_DYNAMIC_AIPP;
        for (size_t i = 0; i < meta.inputs.size(); ++i) {
          if (meta.inputs[i].role == TensorDesc::Role::kDynamicAipp && meta.inputs[i].aipp_index == in.aipp_index) {
            *dynamicAttachedDataIndex = i;
          }
        }
      } else {
        *type = ACL_DATA_WITH_STATIC_AIPP;
      }
    }
    return ACL_SUCCESS;
  });
}

aclError aclmdlGetFirstAippInfo(uint32_t modelId, size_t index, aclAippInfo* aippInfo) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!aippInfo) return capi::fail(ACL_ERROR_INVALID_PARAM, "aippInfo is NULL");
    auto m = capi::find_model(modelId);
    if (!m) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
    const offline::Metadata& meta = m->runner->meta();
    if (index >= meta.inputs.size()) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "input index {} is out of range: the model has {} inputs", index, meta.inputs.size());
    }
    const TensorDesc& in = meta.inputs[index];
    if (in.aipp_index < 0 || static_cast<size_t>(in.aipp_index) >= meta.aipp.size()) {
      return capi::fail(ACL_ERROR_GE_AIPP_NOT_EXIST, "input {} ('{}') has no AIPP", index, in.name);
    }
    const aipp::Params& p = meta.aipp[static_cast<size_t>(in.aipp_index)];
    if (p.mode != aipp::Mode::kStatic) {
      return capi::fail(ACL_ERROR_NOT_STATIC_AIPP, "input {} ('{}') has dynamic AIPP; its parameters come at run time", index, in.name);
    }
    fill_info(meta, in, p, aippInfo);
    return ACL_SUCCESS;
  });
}

}  // extern "C"
