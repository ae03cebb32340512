// Single-operator API (spec §6.2). Kiln is lenient: an op type with a built-in CPU kernel (Cast,
// ArgMaxV2; op_kernels.h) runs without a compiled single-op model, so aclopSetModelDir only checks
// its directory. Executions are checked at call time and queued on the stream.
#include <filesystem>
#include <map>
#include <variant>

#include "capi/capi.h"
#include "capi/model_handles.h"
#include "capi/model_registry.h"
#include "capi/op_kernels.h"

struct aclopAttr {
  std::map<std::string, std::variant<bool, int64_t, float, std::string, std::vector<uint8_t>, std::vector<int64_t>,
                                     std::vector<float>, std::vector<std::string>>>
      values;
};

using namespace kiln;

namespace {

capi::LiveHandles<aclopAttr>& live_attrs() {
  static auto* h = new capi::LiveHandles<aclopAttr>();
  return *h;
}

template <typename T>
aclError set_attr(aclopAttr* attr, const char* name, T value) {
  if (!live_attrs().live(attr)) return capi::fail(ACL_ERROR_INVALID_PARAM, "attr is NULL or not a live attribute map");
  if (!name) return capi::fail(ACL_ERROR_INVALID_PARAM, "attrName is NULL");
  attr->values[name] = std::move(value);
  return ACL_SUCCESS;
}

template <typename T, typename In>
aclError set_list(aclopAttr* attr, const char* name, int n, const In* values) {
  if (n < 0 || (n > 0 && !values)) return capi::fail(ACL_ERROR_INVALID_PARAM, "numValues {} with values {}", n, values ? "set" : "NULL");
  std::vector<T> v;
  for (int i = 0; i < n; ++i) v.push_back(T(values[i]));
  return set_attr(attr, name, std::move(v));
}

bool attr_bool(const aclopAttr* attr, const char* name) {
  if (!attr) return false;
  auto it = attr->values.find(name);
  if (it == attr->values.end()) return false;
  if (const bool* b = std::get_if<bool>(&it->second)) return *b;
  if (const int64_t* i = std::get_if<int64_t>(&it->second)) return *i != 0;
  return false;
}

int64_t elements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n = d < 0 ? -1 : n * d;
  return n;
}

struct OpInput {
  const aclTensorDesc* desc;
  const void* data;  // the descriptor's constant or the buffer's data
};

aclError check_input(int i, const aclTensorDesc* d, const aclDataBuffer* b, OpInput* out) {
  if (!capi::live_tensor_descs().live(d)) return capi::fail(ACL_ERROR_INVALID_PARAM, "input descriptor {} is NULL or not live", i);
  if (elements(d->dims) < 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "input descriptor {} has unknown dims", i);
  const size_t need = static_cast<size_t>(elements(d->dims)) * aclDataTypeSize(d->dtype);
  if (d->is_const) {
    if (d->const_data.size() < need) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "input {}: the constant holds {} bytes, the descriptor needs {}", i,
                        d->const_data.size(), need);
    }
    *out = {d, d->const_data.data()};
    return ACL_SUCCESS;
  }
  if (!capi::live_buffers().live(b) || !b->data) return capi::fail(ACL_ERROR_INVALID_PARAM, "input buffer {} is NULL or has no data", i);
  if (b->size < need) return capi::fail(ACL_ERROR_INVALID_PARAM, "input buffer {} holds {} bytes, the descriptor needs {}", i, b->size, need);
  *out = {d, b->data};
  return ACL_SUCCESS;
}

// Checks the output against the inferred dims (with `rewrite`, unknown dims are replaced: the "V2"
// behaviour), returns its data.
aclError check_output(aclTensorDesc* d, aclDataBuffer* b, const std::vector<int64_t>& dims, bool rewrite, void** data) {
  if (!capi::live_tensor_descs().live(d)) return capi::fail(ACL_ERROR_INVALID_PARAM, "output descriptor is NULL or not live");
  if (elements(d->dims) < 0) {
    if (rewrite) d->dims = dims;
  } else if (elements(d->dims) != elements(dims)) {
    return capi::fail(ACL_ERROR_OP_OUTPUT_NOT_MATCH, "the output descriptor has {} elements, the op produces {}", elements(d->dims),
                      elements(dims));
  }
  const size_t need = static_cast<size_t>(elements(dims)) * aclDataTypeSize(d->dtype);
  if (!capi::live_buffers().live(b) || !b->data) return capi::fail(ACL_ERROR_INVALID_PARAM, "output buffer is NULL or has no data");
  if (b->size < need) return capi::fail(ACL_ERROR_INVALID_PARAM, "output buffer holds {} bytes, the result needs {}", b->size, need);
  *data = b->data;
  return ACL_SUCCESS;
}

aclError queue_cast(const OpInput& x, aclTensorDesc* y_desc, aclDataBuffer* y_buf, bool truncate, bool rewrite,
                    aclrtStream stream) {
  if (!capi::cast_supported(x.desc->dtype) || !capi::live_tensor_descs().live(y_desc) || !capi::cast_supported(y_desc->dtype)) {
    return capi::fail(ACL_ERROR_UNSUPPORTED_DATA_TYPE, "Cast from data type {} to {} is not supported",
                      static_cast<int>(x.desc->dtype), capi::live_tensor_descs().live(y_desc) ? static_cast<int>(y_desc->dtype) : -1);
  }
  void* out = nullptr;
  if (aclError e = check_output(y_desc, y_buf, x.desc->dims, rewrite, &out); e != ACL_SUCCESS) return e;
  const size_t count = static_cast<size_t>(elements(x.desc->dims));
  const aclDataType from = x.desc->dtype, to = y_desc->dtype;
  std::vector<uint8_t> constant;
  const void* in = x.data;
  if (x.desc->is_const) constant = x.desc->const_data, in = nullptr;
  return capi::submit(stream, [=]() -> aclError {
    Status st = capi::cast_elements(from, in ? in : constant.data(), to, out, count, truncate);
    return st.is_ok() ? ACL_SUCCESS : capi::fail(ACL_ERROR_RT_AICORE_EXCEPTION, "Cast failed: {}", st.message());
  });
}

aclError queue_argmax(const OpInput& x, const OpInput& dim, aclTensorDesc* y_desc, aclDataBuffer* y_buf, bool rewrite,
                      aclrtStream stream) {
  const aclDataType xt = x.desc->dtype;
  if (!capi::cast_supported(xt) || xt == ACL_BOOL) return capi::fail(ACL_ERROR_UNSUPPORTED_DATA_TYPE, "ArgMaxV2: x data type {} is not supported", static_cast<int>(xt));
  if ((dim.desc->dtype != ACL_INT32 && dim.desc->dtype != ACL_INT64) || elements(dim.desc->dims) != 1) {
    return capi::fail(ACL_ERROR_UNSUPPORTED_DATA_TYPE, "ArgMaxV2: dimension must be one int32 or int64 value");
  }
  if (!capi::live_tensor_descs().live(y_desc) || (y_desc->dtype != ACL_INT32 && y_desc->dtype != ACL_INT64)) {
    return capi::fail(ACL_ERROR_UNSUPPORTED_DATA_TYPE, "ArgMaxV2: the output must be int32 or int64");
  }
  int64_t axis = 0;
  if (dim.desc->dtype == ACL_INT32) {
    int32_t a;
    std::memcpy(&a, dim.data, 4);
    axis = a;
  } else {
    std::memcpy(&axis, dim.data, 8);
  }
  const int64_t rank = static_cast<int64_t>(x.desc->dims.size());
  if (axis < -rank || axis >= rank) return capi::fail(ACL_ERROR_INVALID_PARAM, "ArgMaxV2: dimension {} is out of range for rank {}", axis, rank);
  std::vector<int64_t> out_dims = x.desc->dims;
  out_dims.erase(out_dims.begin() + (axis < 0 ? axis + rank : axis));
  void* out = nullptr;
  if (aclError e = check_output(y_desc, y_buf, out_dims, rewrite, &out); e != ACL_SUCCESS) return e;
  const std::vector<int64_t> dims = x.desc->dims;
  const aclDataType yt = y_desc->dtype;
  std::vector<uint8_t> constant;
  const void* in = x.data;
  if (x.desc->is_const) constant = x.desc->const_data, in = nullptr;
  return capi::submit(stream, [=]() -> aclError {
    Status st = capi::argmax(xt, in ? in : constant.data(), dims, axis, yt, out);
    return st.is_ok() ? ACL_SUCCESS : capi::fail(ACL_ERROR_RT_AICORE_EXCEPTION, "ArgMaxV2 failed: {}", st.message());
  });
}

aclError execute(const char* opType, int numInputs, const aclTensorDesc* const inputDesc[], const aclDataBuffer* const inputs[],
                 int numOutputs, aclTensorDesc* const outputDesc[], aclDataBuffer* const outputs[], const aclopAttr* attr,
                 bool rewrite, aclrtStream stream) {
  if (!capi::initialized()) return capi::fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
  if (!opType) return capi::fail(ACL_ERROR_INVALID_PARAM, "opType is NULL");
  if (numInputs < 0 || numOutputs < 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "numInputs {} / numOutputs {} is negative", numInputs, numOutputs);
  if (numInputs > 0 && (!inputDesc || !inputs)) return capi::fail(ACL_ERROR_INVALID_PARAM, "inputDesc or inputs is NULL");
  if (numOutputs > 0 && (!outputDesc || !outputs)) return capi::fail(ACL_ERROR_INVALID_PARAM, "outputDesc or outputs is NULL");
  if (attr && !live_attrs().live(attr)) return capi::fail(ACL_ERROR_INVALID_PARAM, "attr is not a live attribute map");
  const std::string op = opType;
  int want_in = 0;
  if (op == "Cast") want_in = 1;
  else if (op == "ArgMaxV2") want_in = 2;
  else return capi::fail(ACL_ERROR_OP_NOT_FOUND, "no kernel for op type '{}' (Kiln has built-in Cast and ArgMaxV2)", op);
  if (numInputs != want_in) return capi::fail(ACL_ERROR_OP_INPUT_NOT_MATCH, "{} takes {} inputs, {} given", op, want_in, numInputs);
  if (numOutputs != 1) return capi::fail(ACL_ERROR_OP_OUTPUT_NOT_MATCH, "{} has 1 output, {} given", op, numOutputs);
  std::vector<OpInput> in(static_cast<size_t>(numInputs));
  for (int i = 0; i < numInputs; ++i) {
    if (aclError e = check_input(i, inputDesc[i], inputs[i], &in[static_cast<size_t>(i)]); e != ACL_SUCCESS) return e;
  }
  if (op == "Cast") return queue_cast(in[0], outputDesc[0], outputs[0], attr_bool(attr, "truncate"), rewrite, stream);
  return queue_argmax(in[0], in[1], outputDesc[0], outputs[0], rewrite, stream);
}

}  // namespace

extern "C" {

aclError aclopSetModelDir(const char* modelDir) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!modelDir) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelDir is NULL");
    if (capi::op_model_dir_set()) return capi::fail(ACL_ERROR_REPEAT_INITIALIZE, "aclopSetModelDir may be called only once per process");
    std::error_code ec;
    if (!std::filesystem::is_directory(modelDir, ec)) {
      return capi::fail(ACL_ERROR_INVALID_FILE, "'{}' is not a readable directory", modelDir);
    }
    capi::set_op_model_dir(true);
    capi::log(ACL_INFO, fmt::format("aclopSetModelDir('{}'): Kiln runs its built-in kernels (Cast, ArgMaxV2) for any matching op", modelDir));
    return ACL_SUCCESS;
  });
}

aclError aclopLoad(const void* model, size_t modelSize) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!model || modelSize == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "model is NULL or modelSize is 0");
    return ACL_SUCCESS;  // built-in kernels need no compiled model (lenient matching, §6.2)
  });
}

aclopAttr* aclopCreateAttr(void) {
  return capi::create_handle(__func__, live_attrs(), [](aclopAttr&) {});
}

void aclopDestroyAttr(const aclopAttr* attr) {
  if (attr && live_attrs().remove(attr)) delete attr;
}

aclError aclopSetAttrBool(aclopAttr* attr, const char* attrName, uint8_t attrValue) {
  return capi::guard(__func__, [&] { return set_attr(attr, attrName, attrValue != 0); });
}
aclError aclopSetAttrInt(aclopAttr* attr, const char* attrName, int64_t attrValue) {
  return capi::guard(__func__, [&] { return set_attr(attr, attrName, attrValue); });
}
aclError aclopSetAttrFloat(aclopAttr* attr, const char* attrName, float attrValue) {
  return capi::guard(__func__, [&] { return set_attr(attr, attrName, attrValue); });
}
aclError aclopSetAttrString(aclopAttr* attr, const char* attrName, const char* attrValue) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!attrValue) return capi::fail(ACL_ERROR_INVALID_PARAM, "attrValue is NULL");
    return set_attr(attr, attrName, std::string(attrValue));
  });
}
aclError aclopSetAttrListBool(aclopAttr* attr, const char* attrName, int numValues, const uint8_t* values) {
  return capi::guard(__func__, [&] { return set_list<uint8_t>(attr, attrName, numValues, values); });
}
aclError aclopSetAttrListInt(aclopAttr* attr, const char* attrName, int numValues, const int64_t* values) {
  return capi::guard(__func__, [&] { return set_list<int64_t>(attr, attrName, numValues, values); });
}
aclError aclopSetAttrListFloat(aclopAttr* attr, const char* attrName, int numValues, const float* values) {
  return capi::guard(__func__, [&] { return set_list<float>(attr, attrName, numValues, values); });
}
aclError aclopSetAttrListString(aclopAttr* attr, const char* attrName, int numValues, const char** values) {
  return capi::guard(__func__, [&]() -> aclError {
    for (int i = 0; values && i < numValues; ++i) {
      if (!values[i]) return capi::fail(ACL_ERROR_INVALID_PARAM, "values[{}] is NULL", i);
    }
    return set_list<std::string>(attr, attrName, numValues, values);
  });
}

aclError aclopExecute(const char* opType, int numInputs, const aclTensorDesc* const inputDesc[],
                      const aclDataBuffer* const inputs[], int numOutputs, const aclTensorDesc* const outputDesc[],
                      aclDataBuffer* const outputs[], const aclopAttr* attr, aclrtStream stream) {
  return capi::guard(__func__, [&] {
    // V1 never rewrites its (const) output descriptors.
    return execute(opType, numInputs, inputDesc, inputs, numOutputs, const_cast<aclTensorDesc* const*>(outputDesc), outputs,
                   attr, false, stream);
  });
}

aclError aclopExecuteV2(const char* opType, int numInputs, aclTensorDesc* inputDesc[], aclDataBuffer* inputs[], int numOutputs,
                        aclTensorDesc* outputDesc[], aclDataBuffer* outputs[], aclopAttr* attr, aclrtStream stream) {
  return capi::guard(__func__, [&] {
    return execute(opType, numInputs, inputDesc, inputs, numOutputs, outputDesc, outputs, attr, true, stream);
  });
}

aclError aclopCast(const aclTensorDesc* srcDesc, const aclDataBuffer* srcBuffer, const aclTensorDesc* dstDesc,
                   aclDataBuffer* dstBuffer, uint8_t truncate, aclrtStream stream) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!capi::initialized()) return capi::fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
    OpInput x;
    if (aclError e = check_input(0, srcDesc, srcBuffer, &x); e != ACL_SUCCESS) return e;
    if (!capi::live_tensor_descs().live(dstDesc)) return capi::fail(ACL_ERROR_INVALID_PARAM, "dstDesc is NULL or not live");
    if (elements(dstDesc->dims) != elements(srcDesc->dims)) {
      return capi::fail(ACL_ERROR_INVALID_PARAM, "srcDesc has {} elements, dstDesc {}", elements(srcDesc->dims), elements(dstDesc->dims));
    }
    // Element counts are equal; dstDesc is const, never rewritten.
    aclTensorDesc* dst = const_cast<aclTensorDesc*>(dstDesc);
    return queue_cast(x, dst, dstBuffer, truncate != 0, false, stream);
  });
}

aclError aclopCreateHandle(const char*, int, const aclTensorDesc* const[], int, const aclTensorDesc* const[], const aclopAttr*,
                           aclopHandle**) {
  return capi::fail(ACL_ERROR_API_NOT_SUPPORT, "aclopCreateHandle is not supported by Kiln; use aclopExecuteV2");
}
void aclopDestroyHandle(aclopHandle*) {}
aclError aclopExecWithHandle(aclopHandle*, int, const aclDataBuffer* const[], int, aclDataBuffer* const[], aclrtStream) {
  return capi::fail(ACL_ERROR_API_NOT_SUPPORT, "aclopExecWithHandle is not supported by Kiln; use aclopExecuteV2");
}
aclError aclopCreateHandleForCast(aclTensorDesc*, aclTensorDesc*, uint8_t, aclopHandle**) {
  return capi::fail(ACL_ERROR_API_NOT_SUPPORT, "aclopCreateHandleForCast is not supported by Kiln; use aclopCast");
}

}  // extern "C"
