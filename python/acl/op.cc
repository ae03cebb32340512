// acl.op.*: single operators (spec §8.3 `acl.op`, semantics §6.2). Descriptor and buffer lists are
// lists of int handles; their lengths give numInputs / numOutputs.
#include <string>
#include <vector>

#include "acl_py.h"

namespace acl_py {

namespace {

template <typename T>
std::vector<T*> handles(const std::vector<Ptr>& list) {
  std::vector<T*> out;
  for (Ptr p : list) out.push_back(as<T>(p));
  return out;
}

}  // namespace

void bind_op(py::module_& op) {
  op.def("set_model_dir", [](const std::string& dir) { return aclopSetModelDir(dir.c_str()); }, py::arg("model_dir"));
  op.def("create_attr", [] { return addr(aclopCreateAttr()); });
  op.def("destroy_attr", [](Ptr attr) { aclopDestroyAttr(as<aclopAttr>(attr)); }, py::arg("attr"));
  op.def(
      "set_attr_bool", [](Ptr attr, const std::string& name, bool v) { return aclopSetAttrBool(as<aclopAttr>(attr), name.c_str(), v); },
      py::arg("attr"), py::arg("attr_name"), py::arg("attr_value"));
  op.def(
      "set_attr_int",
      [](Ptr attr, const std::string& name, int64_t v) { return aclopSetAttrInt(as<aclopAttr>(attr), name.c_str(), v); },
      py::arg("attr"), py::arg("attr_name"), py::arg("attr_value"));
  op.def(
      "set_attr_float",
      [](Ptr attr, const std::string& name, float v) { return aclopSetAttrFloat(as<aclopAttr>(attr), name.c_str(), v); },
      py::arg("attr"), py::arg("attr_name"), py::arg("attr_value"));
  op.def(
      "set_attr_string",
      [](Ptr attr, const std::string& name, const std::string& v) {
        return aclopSetAttrString(as<aclopAttr>(attr), name.c_str(), v.c_str());
      },
      py::arg("attr"), py::arg("attr_name"), py::arg("attr_value"));
  op.def(
      "set_attr_list_int",
      [](Ptr attr, const std::string& name, const std::vector<int64_t>& v) {
        return aclopSetAttrListInt(as<aclopAttr>(attr), name.c_str(), static_cast<int>(v.size()), v.data());
      },
      py::arg("attr"), py::arg("attr_name"), py::arg("values"));
  op.def(
      "set_attr_list_float",
      [](Ptr attr, const std::string& name, const std::vector<float>& v) {
        return aclopSetAttrListFloat(as<aclopAttr>(attr), name.c_str(), static_cast<int>(v.size()), v.data());
      },
      py::arg("attr"), py::arg("attr_name"), py::arg("values"));
  op.def(
      "cast",
      [](Ptr src_desc, Ptr src, Ptr dst_desc, Ptr dst, int truncate, Ptr stream) {
        return aclopCast(as<aclTensorDesc>(src_desc), as<aclDataBuffer>(src), as<aclTensorDesc>(dst_desc),
                         as<aclDataBuffer>(dst), static_cast<uint8_t>(truncate), as(stream));
      },
      py::arg("src_desc"), py::arg("src_buffer"), py::arg("dst_desc"), py::arg("dst_buffer"), py::arg("truncate"),
      py::arg("stream"), release_gil());
  op.def(
      "execute_v2",
      [](const std::string& op_type, const std::vector<Ptr>& in_descs, const std::vector<Ptr>& in_buffers,
         const std::vector<Ptr>& out_descs, const std::vector<Ptr>& out_buffers, Ptr attr, Ptr stream) {
        if (in_descs.size() != in_buffers.size() || out_descs.size() != out_buffers.size()) {
          throw py::value_error("execute_v2: " + std::to_string(in_descs.size()) + " input descs vs " +
                                std::to_string(in_buffers.size()) + " input buffers, " +
                                std::to_string(out_descs.size()) + " output descs vs " +
                                std::to_string(out_buffers.size()) + " output buffers");
        }
        auto id = handles<aclTensorDesc>(in_descs), od = handles<aclTensorDesc>(out_descs);
        auto ib = handles<aclDataBuffer>(in_buffers), ob = handles<aclDataBuffer>(out_buffers);
        py::gil_scoped_release release;
        return aclopExecuteV2(op_type.c_str(), static_cast<int>(id.size()), id.data(), ib.data(),
                              static_cast<int>(od.size()), od.data(), ob.data(), as<aclopAttr>(attr), as(stream));
      },
      py::arg("op_type"), py::arg("input_desc"), py::arg("inputs"), py::arg("output_desc"), py::arg("outputs"),
      py::arg("attr"), py::arg("stream"));
}

}  // namespace acl_py
