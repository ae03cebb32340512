// Data buffers, tensor descriptors, aclDataTypeSize and the fp16 helpers (spec §5.1, §6.1), and
// the live-handle tables of the model half (model_handles.h).

#include "capi/capi.h"
#include "capi/model_handles.h"
#include "core/half.h"

namespace kiln::capi {

LiveHandles<aclDataBuffer>& live_buffers() {
  static auto* h = new LiveHandles<aclDataBuffer>();
  return *h;
}
LiveHandles<aclmdlDataset>& live_datasets() {
  static auto* h = new LiveHandles<aclmdlDataset>();
  return *h;
}
LiveHandles<aclmdlDesc>& live_descs() {
  static auto* h = new LiveHandles<aclmdlDesc>();
  return *h;
}
LiveHandles<aclmdlAIPP>& live_aipps() {
  static auto* h = new LiveHandles<aclmdlAIPP>();
  return *h;
}
LiveHandles<aclTensorDesc>& live_tensor_descs() {
  static auto* h = new LiveHandles<aclTensorDesc>();
  return *h;
}

namespace {

struct DTypePair {
  DType kiln;
  aclDataType acl;
};
constexpr DTypePair kDTypes[] = {
    {DType::kFloat32, ACL_FLOAT}, {DType::kFloat16, ACL_FLOAT16}, {DType::kInt8, ACL_INT8},
    {DType::kInt32, ACL_INT32},   {DType::kUInt8, ACL_UINT8},     {DType::kInt16, ACL_INT16},
    {DType::kUInt16, ACL_UINT16}, {DType::kUInt32, ACL_UINT32},   {DType::kInt64, ACL_INT64},
    {DType::kUInt64, ACL_UINT64}, {DType::kFloat64, ACL_DOUBLE},  {DType::kBool, ACL_BOOL},
    {DType::kString, ACL_STRING}, {DType::kComplex64, ACL_COMPLEX64}, {DType::kComplex128, ACL_COMPLEX128},
    {DType::kBFloat16, ACL_BF16},
};

}  // namespace

aclDataType to_acl(DType t) {
  for (const DTypePair& p : kDTypes) {
    if (p.kiln == t) return p.acl;
  }
  return ACL_DT_UNDEFINED;
}

DType from_acl(aclDataType t) {
  for (const DTypePair& p : kDTypes) {
    if (p.acl == t) return p.kiln;
  }
  return DType::kUndefined;
}

}  // namespace kiln::capi

using namespace kiln;

namespace {

bool live_desc(const aclTensorDesc* d) { return capi::live_tensor_descs().live(d); }

}  // namespace

extern "C" {

float aclFloat16ToFloat(aclFloat16 value) { return float16::to_float(value); }
aclFloat16 aclFloatToFloat16(float value) { return float16::from_float(value); }

aclDataBuffer* aclCreateDataBuffer(void* data, size_t size) {
  return capi::create_handle(__func__, capi::live_buffers(), [&](aclDataBuffer& b) {
    b.data = data;
    b.size = size;
  });
}

aclError aclDestroyDataBuffer(const aclDataBuffer* dataBuffer) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!dataBuffer) return capi::fail(ACL_ERROR_INVALID_PARAM, "dataBuffer is NULL");
    if (!capi::live_buffers().remove(dataBuffer)) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "dataBuffer {} is not a live data buffer (destroyed already?)",
                        static_cast<const void*>(dataBuffer));
    }
    delete dataBuffer;
    return ACL_SUCCESS;
  });
}

aclError aclUpdateDataBuffer(aclDataBuffer* dataBuffer, void* data, size_t size) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!capi::live_buffers().live(dataBuffer)) return capi::fail(ACL_ERROR_INVALID_PARAM, "dataBuffer is NULL or not a live data buffer");
    dataBuffer->data = data;
    dataBuffer->size = size;
    return ACL_SUCCESS;
  });
}

void* aclGetDataBufferAddr(const aclDataBuffer* dataBuffer) {
  return capi::live_buffers().live(dataBuffer) ? dataBuffer->data : nullptr;
}
uint32_t aclGetDataBufferSize(const aclDataBuffer* dataBuffer) {
  return capi::live_buffers().live(dataBuffer) ? static_cast<uint32_t>(dataBuffer->size) : 0;
}
size_t aclGetDataBufferSizeV2(const aclDataBuffer* dataBuffer) {
  return capi::live_buffers().live(dataBuffer) ? dataBuffer->size : 0;
}

size_t aclDataTypeSize(aclDataType dataType) {
  switch (dataType) {
    case ACL_INT8: case ACL_UINT8: case ACL_BOOL: return 1;
    case ACL_FLOAT16: case ACL_INT16: case ACL_UINT16: case ACL_BF16: return 2;
    case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: case ACL_COMPLEX32: return 4;
    case ACL_INT64: case ACL_UINT64: case ACL_DOUBLE: case ACL_COMPLEX64: return 8;
    case ACL_COMPLEX128: return 16;
    default: return 0;  // undefined, string (variable), sub-byte types, unassigned values
  }
}

aclTensorDesc* aclCreateTensorDesc(aclDataType dataType, int numDims, const int64_t* dims, aclFormat format) {
  if (numDims < 0 || (numDims > 0 && !dims)) {
    capi::fail(ACL_ERROR_INVALID_PARAM, "aclCreateTensorDesc: numDims {} with dims {}", numDims, dims ? "set" : "NULL");
    return nullptr;
  }
  return capi::create_handle(__func__, capi::live_tensor_descs(), [&](aclTensorDesc& d) {
    d.dtype = dataType;
    d.format = format;
    if (numDims > 0) d.dims.assign(dims, dims + numDims);
  });
}

void aclDestroyTensorDesc(const aclTensorDesc* desc) {
  if (desc && capi::live_tensor_descs().remove(desc)) delete desc;
}

aclDataType aclGetTensorDescType(const aclTensorDesc* desc) { return live_desc(desc) ? desc->dtype : ACL_DT_UNDEFINED; }
aclFormat aclGetTensorDescFormat(const aclTensorDesc* desc) { return live_desc(desc) ? desc->format : ACL_FORMAT_UNDEFINED; }

size_t aclGetTensorDescElementCount(const aclTensorDesc* desc) {
  if (!live_desc(desc)) return 0;
  size_t n = 1;
  for (int64_t d : desc->dims) {
    if (d < 0) return 0;
    n *= static_cast<size_t>(d);
  }
  return n;
}

size_t aclGetTensorDescSize(const aclTensorDesc* desc) {
  if (!live_desc(desc)) return 0;
  return aclGetTensorDescElementCount(desc) * aclDataTypeSize(desc->dtype);
}

size_t aclGetTensorDescNumDims(const aclTensorDesc* desc) { return live_desc(desc) ? desc->dims.size() : 0; }

int64_t aclGetTensorDescDim(const aclTensorDesc* desc, size_t index) {
  return live_desc(desc) && index < desc->dims.size() ? desc->dims[index] : -1;
}

aclError aclGetTensorDescDimV2(const aclTensorDesc* desc, size_t index, int64_t* dimSize) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live_desc(desc) || !dimSize) return capi::fail(ACL_ERROR_INVALID_PARAM, "desc or dimSize is NULL (or desc is not live)");
    if (index >= desc->dims.size()) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "index {} is out of range: the descriptor has {} dims", index, desc->dims.size());
    }
    *dimSize = desc->dims[index];
    return ACL_SUCCESS;
  });
}

void aclSetTensorDescName(aclTensorDesc* desc, const char* name) {
  capi::guard(__func__, [&]() -> aclError {
    if (live_desc(desc)) desc->name = name ? name : "";
    return ACL_SUCCESS;
  });
}

const char* aclGetTensorDescName(aclTensorDesc* desc) { return live_desc(desc) ? desc->name.c_str() : ""; }

aclError aclSetTensorConst(aclTensorDesc* desc, void* dataBuffer, size_t length) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live_desc(desc)) return capi::fail(ACL_ERROR_INVALID_PARAM, "desc is NULL or not a live tensor descriptor");
    if (!dataBuffer || length == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "dataBuffer is NULL or length is 0");
    const auto* p = static_cast<const uint8_t*>(dataBuffer);
    desc->const_data.assign(p, p + length);
    desc->is_const = true;
    return ACL_SUCCESS;
  });
}

aclError aclSetTensorFormat(aclTensorDesc* desc, aclFormat format) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live_desc(desc)) return capi::fail(ACL_ERROR_INVALID_PARAM, "desc is NULL or not a live tensor descriptor");
    desc->format = format;
    return ACL_SUCCESS;
  });
}

aclError aclSetTensorShape(aclTensorDesc* desc, int numDims, const int64_t* dims) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!live_desc(desc)) return capi::fail(ACL_ERROR_INVALID_PARAM, "desc is NULL or not a live tensor descriptor");
    if (numDims < 0 || (numDims > 0 && !dims)) return capi::fail(ACL_ERROR_INVALID_PARAM, "numDims {} with dims {}", numDims, dims ? "set" : "NULL");
    desc->dims.assign(dims, dims + numDims);
    return ACL_SUCCESS;
  });
}

}  // extern "C"
