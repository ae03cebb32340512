// acl.*: init/finalize, SoC name, data buffers, tensor descriptors, type sizes (spec §8.3, top level).
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "acl_py.h"

namespace acl_py {

void report_callback_error(const char* where) {
  if (PyErr_Occurred()) {
    PySys_WriteStderr("acl: exception in %s (ignored):\n", where);
    PyErr_Print();
  }
}

void bind_base(py::module_& m) {
  m.def(
      "init",
      [](std::optional<std::string> config_path) { return aclInit(config_path ? config_path->c_str() : nullptr); },
      py::arg("config_path") = py::none(), "aclInit(config_path or NULL) -> ret");
  m.def("finalize", &aclFinalize, release_gil(), "aclFinalize() -> ret");
  m.def("get_soc_name", [] { return str_or_empty(aclrtGetSocName()); });
  m.def("get_recent_err_msg", [] { return str_or_empty(aclGetRecentErrMsg()); });
  m.def("get_version", [] {
    int32_t major = 0, minor = 0, patch = 0;
    aclError ret = aclrtGetVersion(&major, &minor, &patch);
    return py::make_tuple(major, minor, patch, ret);
  });

  m.def("create_data_buffer", [](Ptr data, size_t size) { return addr(aclCreateDataBuffer(as(data), size)); },
        py::arg("data_ptr"), py::arg("size"));
  m.def("destroy_data_buffer", [](Ptr buffer) { return aclDestroyDataBuffer(as<aclDataBuffer>(buffer)); },
        py::arg("data_buffer"));
  m.def("update_data_buffer",
        [](Ptr buffer, Ptr data, size_t size) { return aclUpdateDataBuffer(as<aclDataBuffer>(buffer), as(data), size); },
        py::arg("data_buffer"), py::arg("data_ptr"), py::arg("size"));
  m.def("get_data_buffer_addr", [](Ptr buffer) { return addr(aclGetDataBufferAddr(as<aclDataBuffer>(buffer))); },
        py::arg("data_buffer"));
  // The V1 getter is deprecated in the C headers, but acllite still calls acl.get_data_buffer_size.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  m.def("get_data_buffer_size", [](Ptr buffer) { return aclGetDataBufferSize(as<aclDataBuffer>(buffer)); },
        py::arg("data_buffer"));
#pragma GCC diagnostic pop
  m.def("get_data_buffer_size_v2", [](Ptr buffer) { return aclGetDataBufferSizeV2(as<aclDataBuffer>(buffer)); },
        py::arg("data_buffer"));
  m.def("data_type_size", [](int type) { return aclDataTypeSize(static_cast<aclDataType>(type)); }, py::arg("data_type"));

  m.def(
      "create_tensor_desc",
      [](int type, const std::vector<int64_t>& dims, int format) {
        return addr(aclCreateTensorDesc(static_cast<aclDataType>(type), static_cast<int>(dims.size()),
                                        dims.empty() ? nullptr : dims.data(), static_cast<aclFormat>(format)));
      },
      py::arg("data_type"), py::arg("dims"), py::arg("format"));
  m.def("destroy_tensor_desc", [](Ptr desc) { aclDestroyTensorDesc(as<aclTensorDesc>(desc)); }, py::arg("tensor_desc"));
  m.def("get_tensor_desc_size", [](Ptr desc) { return aclGetTensorDescSize(as<aclTensorDesc>(desc)); },
        py::arg("tensor_desc"));
  m.def("get_tensor_desc_type", [](Ptr desc) { return static_cast<int>(aclGetTensorDescType(as<aclTensorDesc>(desc))); },
        py::arg("tensor_desc"));
  m.def("get_tensor_desc_format",
        [](Ptr desc) { return static_cast<int>(aclGetTensorDescFormat(as<aclTensorDesc>(desc))); }, py::arg("tensor_desc"));
  m.def("get_tensor_desc_element_count",
        [](Ptr desc) { return aclGetTensorDescElementCount(as<aclTensorDesc>(desc)); }, py::arg("tensor_desc"));
  m.def("get_tensor_desc_num_dims", [](Ptr desc) { return aclGetTensorDescNumDims(as<aclTensorDesc>(desc)); },
        py::arg("tensor_desc"));
  m.def(
      "get_tensor_desc_dim_v2",
      [](Ptr desc, size_t index) {
        int64_t dim = 0;
        aclError ret = aclGetTensorDescDimV2(as<aclTensorDesc>(desc), index, &dim);
        return py::make_tuple(dim, ret);
      },
      py::arg("tensor_desc"), py::arg("index"));
  m.def(
      "set_tensor_const",
      [](Ptr desc, Ptr data, size_t length) { return aclSetTensorConst(as<aclTensorDesc>(desc), as(data), length); },
      py::arg("tensor_desc"), py::arg("data_ptr"), py::arg("length"));
  m.def("float16_to_float", [](uint16_t v) { return aclFloat16ToFloat(v); });
  m.def("float_to_float16", [](float v) { return aclFloatToFloat16(v); });

  // The constants the samples define themselves (§8.2), for convenience.
  m.attr("ACL_SUCCESS") = ACL_SUCCESS;
  m.attr("ACL_MEM_MALLOC_HUGE_FIRST") = static_cast<int>(ACL_MEM_MALLOC_HUGE_FIRST);
  m.attr("ACL_MEM_MALLOC_HUGE_ONLY") = static_cast<int>(ACL_MEM_MALLOC_HUGE_ONLY);
  m.attr("ACL_MEM_MALLOC_NORMAL_ONLY") = static_cast<int>(ACL_MEM_MALLOC_NORMAL_ONLY);
  m.attr("ACL_MEMCPY_HOST_TO_HOST") = static_cast<int>(ACL_MEMCPY_HOST_TO_HOST);
  m.attr("ACL_MEMCPY_HOST_TO_DEVICE") = static_cast<int>(ACL_MEMCPY_HOST_TO_DEVICE);
  m.attr("ACL_MEMCPY_DEVICE_TO_HOST") = static_cast<int>(ACL_MEMCPY_DEVICE_TO_HOST);
  m.attr("ACL_MEMCPY_DEVICE_TO_DEVICE") = static_cast<int>(ACL_MEMCPY_DEVICE_TO_DEVICE);
  m.attr("ACL_CALLBACK_NO_BLOCK") = static_cast<int>(ACL_CALLBACK_NO_BLOCK);
  m.attr("ACL_CALLBACK_BLOCK") = static_cast<int>(ACL_CALLBACK_BLOCK);
  m.attr("ACL_DEVICE") = static_cast<int>(ACL_DEVICE);
  m.attr("ACL_HOST") = static_cast<int>(ACL_HOST);
  m.attr("ACL_FLOAT") = static_cast<int>(ACL_FLOAT);
  m.attr("ACL_FLOAT16") = static_cast<int>(ACL_FLOAT16);
  m.attr("ACL_INT32") = static_cast<int>(ACL_INT32);
  m.attr("ACL_UINT8") = static_cast<int>(ACL_UINT8);
  m.attr("ACL_INT64") = static_cast<int>(ACL_INT64);
  m.attr("ACL_FORMAT_NCHW") = static_cast<int>(ACL_FORMAT_NCHW);
  m.attr("ACL_FORMAT_NHWC") = static_cast<int>(ACL_FORMAT_NHWC);
  m.attr("ACL_FORMAT_ND") = static_cast<int>(ACL_FORMAT_ND);
  m.attr("ACL_DYNAMIC_TENSOR_NAME") = ACL_DYNAMIC_TENSOR_NAME;
}

}  // namespace acl_py
