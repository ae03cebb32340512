// acl.mdl.*: model loading, descriptions, datasets, dynamic gears, execution (spec §8.3
// `acl.mdl`). Struct results are dicts: aclmdlIODims -> {"name", "dimCount", "dims"},
// aclmdlBatch -> {"batchCount", "batch"}, aclmdlHW -> {"hwCount", "hw"} (§8.2). Index arguments
// are C size_t; Python callers may pass -1 where the index is unused (it wraps as in C).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "acl_py.h"

namespace acl_py {

namespace {

aclmdlDesc* desc_of(Ptr p) { return as<aclmdlDesc>(p); }
aclmdlDataset* dataset_of(Ptr p) { return as<aclmdlDataset>(p); }

py::dict dims_dict(const aclmdlIODims& d) {
  py::dict out;
  out["name"] = std::string(d.name, strnlen(d.name, sizeof(d.name)));
  const size_t n = std::min<size_t>(d.dimCount, ACL_MAX_DIM_CNT);
  out["dimCount"] = d.dimCount;
  out["dims"] = std::vector<int64_t>(d.dims, d.dims + n);
  return out;
}

aclmdlIODims dims_from(const py::dict& d) {
  aclmdlIODims dims{};
  if (!d.contains("dims")) throw py::value_error("dims dict needs a 'dims' list");
  const auto values = d["dims"].cast<std::vector<int64_t>>();
  if (values.size() > ACL_MAX_DIM_CNT) {
    throw py::value_error("dims has " + std::to_string(values.size()) + " entries; at most " +
                          std::to_string(ACL_MAX_DIM_CNT));
  }
  dims.dimCount = d.contains("dimCount") ? d["dimCount"].cast<size_t>() : values.size();
  if (dims.dimCount > values.size()) {
    throw py::value_error("dimCount " + std::to_string(dims.dimCount) + " > len(dims) " + std::to_string(values.size()));
  }
  std::copy(values.begin(), values.end(), dims.dims);
  if (d.contains("name")) {
    const std::string name = d["name"].cast<std::string>();
    std::strncpy(dims.name, name.c_str(), ACL_MAX_TENSOR_NAME_LEN - 1);
  }
  return dims;
}

template <typename Getter>
py::tuple dims_call(Getter get, Ptr desc, int64_t index) {
  aclmdlIODims dims{};
  aclError ret = get(desc_of(desc), static_cast<size_t>(index), &dims);
  return py::make_tuple(dims_dict(dims), ret);
}


}  // namespace

void bind_mdl(py::module_& mdl) {
  mdl.def(
      "load_from_file",
      [](const std::string& path) {
        uint32_t id = 0;
        aclError ret = aclmdlLoadFromFile(path.c_str(), &id);
        return std::make_pair(id, ret);
      },
      py::arg("model_path"), release_gil());
  mdl.def(
      "load_from_mem",
      [](Ptr model, size_t size) {
        uint32_t id = 0;
        aclError ret = aclmdlLoadFromMem(as<const void>(model), size, &id);
        return std::make_pair(id, ret);
      },
      py::arg("model_ptr"), py::arg("model_size"), release_gil());
  mdl.def(
      "load_from_file_with_mem",
      [](const std::string& path, Ptr work, size_t work_size, Ptr weight, size_t weight_size) {
        uint32_t id = 0;
        aclError ret = aclmdlLoadFromFileWithMem(path.c_str(), &id, as(work), work_size, as(weight), weight_size);
        return std::make_pair(id, ret);
      },
      py::arg("model_path"), py::arg("work_ptr"), py::arg("work_size"), py::arg("weight_ptr"), py::arg("weight_size"),
      release_gil());
  mdl.def(
      "load_from_mem_with_mem",
      [](Ptr model, size_t size, Ptr work, size_t work_size, Ptr weight, size_t weight_size) {
        uint32_t id = 0;
        aclError ret =
            aclmdlLoadFromMemWithMem(as<const void>(model), size, &id, as(work), work_size, as(weight), weight_size);
        return std::make_pair(id, ret);
      },
      py::arg("model_ptr"), py::arg("model_size"), py::arg("work_ptr"), py::arg("work_size"), py::arg("weight_ptr"),
      py::arg("weight_size"), release_gil());
  mdl.def(
      "query_size",
      [](const std::string& path) {
        size_t work = 0, weight = 0;
        aclError ret = aclmdlQuerySize(path.c_str(), &work, &weight);
        return std::make_tuple(work, weight, ret);
      },
      py::arg("model_path"), release_gil());
  mdl.def(
      "query_size_from_mem",
      [](Ptr model, size_t size) {
        size_t work = 0, weight = 0;
        aclError ret = aclmdlQuerySizeFromMem(as<const void>(model), size, &work, &weight);
        return std::make_tuple(work, weight, ret);
      },
      py::arg("model_ptr"), py::arg("model_size"), release_gil());
  mdl.def("unload", &aclmdlUnload, py::arg("model_id"), release_gil());

  mdl.def("create_desc", [] { return addr(aclmdlCreateDesc()); });
  mdl.def("destroy_desc", [](Ptr d) { return aclmdlDestroyDesc(desc_of(d)); }, py::arg("model_desc"));
  mdl.def("get_desc", [](Ptr d, uint32_t id) { return aclmdlGetDesc(desc_of(d), id); }, py::arg("model_desc"),
          py::arg("model_id"));
  mdl.def("get_num_inputs", [](Ptr d) { return aclmdlGetNumInputs(desc_of(d)); }, py::arg("model_desc"));
  mdl.def("get_num_outputs", [](Ptr d) { return aclmdlGetNumOutputs(desc_of(d)); }, py::arg("model_desc"));
  mdl.def("get_input_size_by_index", [](Ptr d, int64_t i) { return aclmdlGetInputSizeByIndex(desc_of(d), i); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_output_size_by_index", [](Ptr d, int64_t i) { return aclmdlGetOutputSizeByIndex(desc_of(d), i); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_input_dims", [](Ptr d, int64_t i) { return dims_call(aclmdlGetInputDims, d, i); }, py::arg("model_desc"),
          py::arg("index"));
  mdl.def("get_input_dims_v2", [](Ptr d, int64_t i) { return dims_call(aclmdlGetInputDimsV2, d, i); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_output_dims", [](Ptr d, int64_t i) { return dims_call(aclmdlGetOutputDims, d, i); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_cur_output_dims", [](Ptr d, int64_t i) { return dims_call(aclmdlGetCurOutputDims, d, i); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_input_name_by_index",
          [](Ptr d, int64_t i) { return str_or_empty(aclmdlGetInputNameByIndex(desc_of(d), i)); }, py::arg("model_desc"),
          py::arg("index"));
  mdl.def("get_output_name_by_index",
          [](Ptr d, int64_t i) { return str_or_empty(aclmdlGetOutputNameByIndex(desc_of(d), i)); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_input_format", [](Ptr d, int64_t i) { return static_cast<int>(aclmdlGetInputFormat(desc_of(d), i)); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_output_format", [](Ptr d, int64_t i) { return static_cast<int>(aclmdlGetOutputFormat(desc_of(d), i)); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def("get_input_data_type",
          [](Ptr d, int64_t i) { return static_cast<int>(aclmdlGetInputDataType(desc_of(d), i)); }, py::arg("model_desc"),
          py::arg("index"));
  mdl.def("get_output_data_type",
          [](Ptr d, int64_t i) { return static_cast<int>(aclmdlGetOutputDataType(desc_of(d), i)); },
          py::arg("model_desc"), py::arg("index"));
  mdl.def(
      "get_input_index_by_name",
      [](Ptr d, const std::string& name) {
        size_t index = 0;
        aclError ret = aclmdlGetInputIndexByName(desc_of(d), name.c_str(), &index);
        return std::make_pair(index, ret);
      },
      py::arg("model_desc"), py::arg("name"));
  mdl.def(
      "get_output_index_by_name",
      [](Ptr d, const std::string& name) {
        size_t index = 0;
        aclError ret = aclmdlGetOutputIndexByName(desc_of(d), name.c_str(), &index);
        return std::make_pair(index, ret);
      },
      py::arg("model_desc"), py::arg("name"));

  mdl.def(
      "get_dynamic_batch",
      [](Ptr d) {
        aclmdlBatch batch{};
        aclError ret = aclmdlGetDynamicBatch(desc_of(d), &batch);
        py::dict out;
        out["batchCount"] = batch.batchCount;
        out["batch"] = std::vector<uint64_t>(batch.batch, batch.batch + std::min<size_t>(batch.batchCount, ACL_MAX_BATCH_NUM));
        return py::make_tuple(out, ret);
      },
      py::arg("model_desc"));
  mdl.def(
      "get_dynamic_hw",
      [](Ptr d, int64_t index) {
        aclmdlHW hw{};
        aclError ret = aclmdlGetDynamicHW(desc_of(d), index, &hw);
        py::list pairs;
        for (size_t i = 0; i < std::min<size_t>(hw.hwCount, ACL_MAX_HW_NUM); ++i) {
          pairs.append(py::make_tuple(hw.hw[i][0], hw.hw[i][1]).cast<py::list>());
        }
        py::dict out;
        out["hwCount"] = hw.hwCount;
        out["hw"] = pairs;
        return py::make_tuple(out, ret);
      },
      py::arg("model_desc"), py::arg("index"));
  mdl.def(
      "set_dynamic_batch_size",
      [](uint32_t id, Ptr ds, int64_t index, uint64_t batch) {
        return aclmdlSetDynamicBatchSize(id, dataset_of(ds), index, batch);
      },
      py::arg("model_id"), py::arg("dataset"), py::arg("index"), py::arg("batch_size"));
  mdl.def(
      "set_dynamic_hw_size",
      [](uint32_t id, Ptr ds, int64_t index, uint64_t h, uint64_t w) {
        return aclmdlSetDynamicHWSize(id, dataset_of(ds), index, h, w);
      },
      py::arg("model_id"), py::arg("dataset"), py::arg("index"), py::arg("height"), py::arg("width"));
  mdl.def(
      "set_input_dynamic_dims",
      [](uint32_t id, Ptr ds, int64_t index, const py::dict& dims) {
        aclmdlIODims d = dims_from(dims);
        return aclmdlSetInputDynamicDims(id, dataset_of(ds), index, &d);
      },
      py::arg("model_id"), py::arg("dataset"), py::arg("index"), py::arg("dims"));
  mdl.def(
      "get_input_dynamic_gear_count",
      [](Ptr d, int64_t index) {
        size_t count = 0;
        aclError ret = aclmdlGetInputDynamicGearCount(desc_of(d), index, &count);
        return std::make_pair(count, ret);
      },
      py::arg("model_desc"), py::arg("index"));
  mdl.def(
      "get_input_dynamic_dims",
      [](Ptr d, int64_t index, size_t gear_count) {
        if (gear_count > ACL_MAX_SHAPE_COUNT) {
          throw py::value_error("gear_count " + std::to_string(gear_count) + " > " + std::to_string(ACL_MAX_SHAPE_COUNT));
        }
        std::vector<aclmdlIODims> dims(std::max<size_t>(gear_count, 1));
        aclError ret = aclmdlGetInputDynamicDims(desc_of(d), index, dims.data(), gear_count);
        py::list out;
        for (size_t g = 0; g < gear_count; ++g) out.append(dims_dict(dims[g]));
        return py::make_tuple(out, ret);
      },
      py::arg("model_desc"), py::arg("index"), py::arg("gear_count"));

  mdl.def("create_dataset", [] { return addr(aclmdlCreateDataset()); });
  mdl.def("destroy_dataset", [](Ptr ds) { return aclmdlDestroyDataset(dataset_of(ds)); }, py::arg("dataset"));
  mdl.def(
      "add_dataset_buffer",
      [](Ptr ds, Ptr buffer) {
        aclError ret = aclmdlAddDatasetBuffer(dataset_of(ds), as<aclDataBuffer>(buffer));
        return std::make_pair(ds, ret);
      },
      py::arg("dataset"), py::arg("data_buffer"));
  mdl.def("get_dataset_num_buffers", [](Ptr ds) { return aclmdlGetDatasetNumBuffers(dataset_of(ds)); },
          py::arg("dataset"));
  mdl.def("get_dataset_buffer", [](Ptr ds, int64_t i) { return addr(aclmdlGetDatasetBuffer(dataset_of(ds), i)); },
          py::arg("dataset"), py::arg("index"));
  mdl.def(
      "execute", [](uint32_t id, Ptr in, Ptr out) { return aclmdlExecute(id, dataset_of(in), dataset_of(out)); },
      py::arg("model_id"), py::arg("input_dataset"), py::arg("output_dataset"), release_gil());
  mdl.def(
      "execute_async",
      [](uint32_t id, Ptr in, Ptr out, Ptr stream) {
        return aclmdlExecuteAsync(id, dataset_of(in), dataset_of(out), as(stream));
      },
      py::arg("model_id"), py::arg("input_dataset"), py::arg("output_dataset"), py::arg("stream"), release_gil());
}

}  // namespace acl_py
