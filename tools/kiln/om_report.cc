#include "om_report.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "frontend/onnx/onnx_loader.h"
#include "ir/printer.h"
#include "passes/infer_types.h"
#include "summary.h"

namespace kiln::tools {

namespace {

using nlohmann::ordered_json;

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

ordered_json graph_json(const ir::Graph& graph) {
  ordered_json nodes = ordered_json::array();
  for (const auto& node : graph.nodes) {
    ordered_json n;
    n["name"] = node->name;
    n["op_type"] = node->domain.empty() ? node->op_type : node->domain + "." + node->op_type;
    ordered_json ins = ordered_json::array(), outs = ordered_json::array();
    for (const ir::Value* v : node->inputs) ins.push_back(v ? v->name : "");
    for (const ir::Value* v : node->outputs) outs.push_back(v ? v->name : "");
    n["inputs"] = ins;
    n["outputs"] = outs;
    ordered_json attrs = ordered_json::object();
    for (const auto& [key, a] : node->attrs) attrs[key] = ir::print_attribute(a);
    n["attributes"] = attrs;
    nodes.push_back(std::move(n));
  }
  ordered_json g;
  g["name"] = graph.name;
  ordered_json values = ordered_json::array();
  for (const auto& v : graph.values()) {
    if (v->constant) values.push_back({{"name", v->name}, {"tensor", v->constant->describe()}});
  }
  g["nodes"] = std::move(nodes);
  g["initializers"] = std::move(values);
  return g;
}

const char* role_name(offline::TensorDesc::Role r) {
  switch (r) {
    case offline::TensorDesc::Role::kData: return "data";
    case offline::TensorDesc::Role::kDynamicGear: return "dynamic gear input";
    case offline::TensorDesc::Role::kDynamicAipp: return "dynamic AIPP parameters";
  }
  return "?";
}

void print_desc(size_t i, const offline::TensorDesc& d) {
  fmt::print("  [{}] {:<26} {} ({}) {} dims {}{} {} B{}{}\n", i, d.name, acl_dtype_name(d.dtype), acl_dtype_code(d.dtype),
             offline::format_name(d.format), dims_str(d.dims), d.dims_v2.empty() ? "" : " dims_v2 " + dims_str(d.dims_v2),
             d.bytes, d.role == offline::TensorDesc::Role::kData ? "" : fmt::format("  [{}]", role_name(d.role)),
             d.aipp_index >= 0 ? fmt::format("  [AIPP #{}]", d.aipp_index) : "");
}

}  // namespace

int acl_dtype_code(DType t) {
  switch (t) {
    case DType::kFloat32: return 0;
    case DType::kFloat16: return 1;
    case DType::kInt8: return 2;
    case DType::kInt32: return 3;
    case DType::kUInt8: return 4;
    case DType::kInt16: return 6;
    case DType::kUInt16: return 7;
    case DType::kUInt32: return 8;
    case DType::kInt64: return 9;
    case DType::kUInt64: return 10;
    case DType::kFloat64: return 11;
    case DType::kBool: return 12;
    case DType::kString: return 13;
    case DType::kComplex64: return 16;
    case DType::kComplex128: return 17;
    case DType::kBFloat16: return 27;
    default: return -1;
  }
}

const char* acl_dtype_name(DType t) {
  switch (t) {
    case DType::kFloat32: return "ACL_FLOAT";
    case DType::kFloat16: return "ACL_FLOAT16";
    case DType::kInt8: return "ACL_INT8";
    case DType::kInt32: return "ACL_INT32";
    case DType::kUInt8: return "ACL_UINT8";
    case DType::kInt16: return "ACL_INT16";
    case DType::kUInt16: return "ACL_UINT16";
    case DType::kUInt32: return "ACL_UINT32";
    case DType::kInt64: return "ACL_INT64";
    case DType::kUInt64: return "ACL_UINT64";
    case DType::kFloat64: return "ACL_DOUBLE";
    case DType::kBool: return "ACL_BOOL";
    case DType::kString: return "ACL_STRING";
    case DType::kComplex64: return "ACL_COMPLEX64";
    case DType::kComplex128: return "ACL_COMPLEX128";
    case DType::kBFloat16: return "ACL_BF16";
    default: return "ACL_DT_UNDEFINED";
  }
}

std::string model_info_block(const offline::OfflineModel& om) {
  const offline::Metadata& m = om.meta;
  std::string s;
  s += "============ Display Model Info start ============\n";
  s += fmt::format("Original Atc command line: {}\n", m.command_line);
  s += fmt::format("system   info: atc_version[{}], soc_version[{}], framework_type[{}].\n", m.producer, m.soc_version,
                   m.framework);
  s += fmt::format("resource info: memory_size[{} B], weight_size[{} B], stream_num[1], event_num[0].\n", m.work_bytes,
                   m.weight_bytes);
  s += fmt::format(
      "om       info: modeldef_size[{} B], weight_data_size[{} B], tbe_kernels_size[0 B], "
      "cust_aicpu_kernel_store_size[0 B], task_info_size[0 B].\n",
      om.graph_bytes + om.metadata_bytes, om.weight_section_bytes);
  s += "============ Display Model Info end   ============\n";
  return s;
}

std::string om_to_json(const offline::OfflineModel& om) {
  ordered_json doc = ordered_json::parse(offline::metadata_to_json(om.meta, 0), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) doc = ordered_json::object();
  doc["atc_cmdline"] = om.meta.command_line;
  doc["soc_version"] = om.meta.soc_version;
  doc["graph"] = om.model ? graph_json(*om.model->graph) : ordered_json();
  return doc.dump(2) + "\n";
}

Expected<std::string> onnx_to_json(const std::string& path) {
  KILN_ASSIGN_OR_RETURN(std::shared_ptr<ir::Model> model, onnx_frontend::load_model(path));
  Status inferred = infer_types(*model);
  ordered_json doc;
  doc["model"] = path;
  doc["producer"] = model->producer_name + " " + model->producer_version;
  ordered_json opsets = ordered_json::object();
  for (const auto& [domain, v] : model->opsets) opsets[domain.empty() ? "ai.onnx" : domain] = v;
  doc["opsets"] = opsets;
  auto values = [](const std::vector<ir::Value*>& vs, bool skip_constants) {
    ordered_json arr = ordered_json::array();
    for (const ir::Value* v : vs) {
      if (skip_constants && v->constant) continue;
      arr.push_back({{"name", v->name}, {"type", v->type.str()}});
    }
    return arr;
  };
  doc["inputs"] = values(model->graph->inputs, true);
  doc["outputs"] = values(model->graph->outputs, false);
  if (!inferred.is_ok()) doc["shape_inference_error"] = inferred.message();
  doc["graph"] = graph_json(*model->graph);
  return doc.dump(2) + "\n";
}

void print_om_info(const std::string& path, const offline::OfflineModel& om, bool graph) {
  const offline::Metadata& m = om.meta;
  fmt::print("model          {} (offline model, format version {})\n", path, m.format_version);
  fmt::print("producer       {}\n", m.producer);
  fmt::print("target         backend {}, ISA {}, soc_version {}\n", m.backend, m.isa, m.soc_version);
  fmt::print("framework      {}\n", m.framework);
  fmt::print("command line   {}\n", m.command_line);
  fmt::print("source         {} (XXH3-64 {})\n", m.source_path, m.source_hash);
  fmt::print("precision mode {}\n", m.precision_mode.empty() ? "(default)" : m.precision_mode);
  fmt::print("\ninputs (AscendCL view: dtype, format, dims, bytes at the largest gear):\n");
  for (size_t i = 0; i < m.inputs.size(); ++i) print_desc(i, m.inputs[i]);
  fmt::print("outputs:\n");
  for (size_t i = 0; i < m.outputs.size(); ++i) print_desc(i, m.outputs[i]);
  if (m.gears.kind != offline::GearKind::kNone) {
    fmt::print("\ndynamic gears: {} ({} gears)\n", offline::gear_kind_name(m.gears.kind), m.gears.values.size());
    std::string positions;
    for (const auto& [in, dim] : m.gears.positions) positions += fmt::format(" input {} dim {};", in, dim);
    fmt::print("  fills:{}\n", positions);
    for (size_t g = 0; g < m.gears.values.size(); ++g) {
      std::string outs;
      if (g < m.gears.output_dims.size()) {
        for (const auto& d : m.gears.output_dims[g]) outs += (outs.empty() ? "" : ", ") + dims_str(d);
      }
      fmt::print("  gear {:<3} {:<16} outputs {}\n", g, dims_str(m.gears.values[g]), outs);
    }
  }
  for (size_t a = 0; a < m.aipp.size(); ++a) {
    fmt::print("\nAIPP #{} ({}): {}\n", a, aipp::input_format_name(m.aipp[a].input_format), aipp::to_json(m.aipp[a]));
  }
  fmt::print("\nsizes:\n");
  fmt::print("  file                 {} B\n", om.file_bytes);
  fmt::print("  graph section        {} B\n", om.graph_bytes);
  fmt::print("  weight section       {} B\n", om.weight_section_bytes);
  fmt::print("  metadata             {} B\n", om.metadata_bytes);
  fmt::print("  weights (memory)     {} B ({:.2f} MiB)\n", m.weight_bytes, m.weight_bytes / 1048576.0);
  fmt::print("  work memory (arena)  {} B ({:.2f} MiB){}\n", m.work_bytes, m.work_bytes / 1048576.0,
             om.memory_plan ? "" : " (no stored plan)");
  if (!om.model) return;
  fmt::print("\n");
  print_op_histogram(*om.model->graph, ", optimized graph");
  if (graph) fmt::print("\n{}", ir::print_graph(*om.model->graph));
}

}  // namespace kiln::tools
