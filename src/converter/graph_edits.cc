// Interface rewrites of the converter: --input_shape, --out_nodes, --input_fp16_nodes,
// --output_type (../shared/spec/atc-cli.md §2).
#include <algorithm>

#include "converter/convert_steps.h"
#include "passes/passes.h"

namespace kiln::convert {

std::vector<ir::Value*> data_inputs(const ir::Graph& graph) {
  std::vector<ir::Value*> out;
  for (ir::Value* v : graph.inputs) {
    if (!v->constant) out.push_back(v);
  }
  return out;
}

std::string input_names(const ir::Graph& graph) {
  std::string names;
  for (const ir::Value* v : data_inputs(graph)) names += (names.empty() ? "" : ", ") + v->name;
  return names.empty() ? "(none)" : names;
}

Status apply_input_shape(ir::Graph& graph, const std::vector<InputShapeEntry>& entries, bool batch_gears) {
  for (const InputShapeEntry& e : entries) {
    ir::Value* in = nullptr;
    for (ir::Value* v : data_inputs(graph)) {
      if (v->name == e.name) in = v;
    }
    if (!in) {
      return invalid_argument(
          "E10001: Value [{}] for parameter [--input_shape] is invalid. Reason: '{}' is not an input of the model; "
          "its inputs are: {}",
          e.name, e.name, input_names(graph));
    }
    if (in->type.kind != ir::TypeInfo::Kind::kTensor) {
      return invalid_argument("E10001: --input_shape: input '{}' is a {}, not a tensor", e.name, in->type.str());
    }
    if (in->type.dims && in->type.dims->size() != e.dims.size()) {
      return invalid_argument(
          "E10001: Value [{}] for parameter [--input_shape] is invalid. Reason: input '{}' has rank {} ({}) but {} "
          "dim(s) were given",
          e.name, e.name, in->type.dims->size(), in->type.str(), e.dims.size());
    }
    std::vector<ir::Dim> dims;
    for (size_t d = 0; d < e.dims.size(); ++d) {
      const DimSpec& spec = e.dims[d];
      if (!spec.is_dynamic()) {
        dims.emplace_back(spec.value);
        continue;
      }
      // Keep the model's own symbol there (e.g. "batch" is also in its outputs' declared dims).
      const ir::Dim* old = in->type.dims ? &(*in->type.dims)[d] : nullptr;
      if (old && !old->known() && !old->symbol.empty()) {
        dims.push_back(*old);
      } else if (batch_gears && d == 0) {
        dims.push_back(ir::Dim::named("ascend_batch"));
      } else {
        dims.push_back(ir::Dim::named(fmt::format("{}_dim{}", e.name, d)));
      }
    }
    in->type = ir::TypeInfo::tensor(in->type.elem, std::move(dims));
  }
  // Declared types of node outputs (ONNX value_info, graph output types) were written for the old
  // input shapes, and inference lets a declared number win over a symbol: forget them.
  if (!entries.empty()) {
    for (const auto& v : graph.values()) {
      if (v->producer) v->type = ir::TypeInfo();
    }
  }
  return Status::ok();
}

namespace {

// "node:idx" -> that node output; else a value of that name.
Expected<ir::Value*> resolve_output_spec(ir::Graph& graph, const std::string& spec) {
  size_t colon = spec.rfind(':');
  if (colon != std::string::npos && colon + 1 < spec.size() &&
      spec.find_first_not_of("0123456789", colon + 1) == std::string::npos && spec.size() - colon <= 6) {
    const std::string node_name = spec.substr(0, colon);
    const size_t index = std::stoul(spec.substr(colon + 1));
    for (const auto& node : graph.nodes) {
      if (node->name != node_name) continue;
      if (index >= node->outputs.size() || !node->outputs[index]) {
        return invalid_argument(
            "E10001: Value [{}] for parameter [--out_nodes] is invalid. Reason: node '{}' ({}) has {} output(s); "
            "index {} does not exist",
            spec, node_name, node->op_type, node->outputs.size(), index);
      }
      return node->outputs[index];
    }
  }
  if (ir::Value* v = graph.find(spec); v && (v->producer || v->is_graph_input)) return v;
  std::string outputs;
  for (const ir::Value* v : graph.outputs) outputs += (outputs.empty() ? "" : ", ") + v->name;
  return invalid_argument(
      "E10001: Value [{}] for parameter [--out_nodes] is invalid. Reason: '{}' is neither node_name:output_index of a "
      "node of the model nor the name of one of its values (graph outputs: {})",
      spec, spec, outputs);
}

int opset_of(const ir::Model& model) {
  auto it = model.opsets.find("");
  return it == model.opsets.end() ? 17 : it->second;
}

ir::Node* add_cast(ir::Model& model, ir::Value* from, ir::Value* to, DType dtype, const std::string& name) {
  ir::Node* cast = model.graph->add_node("Cast", "", opset_of(model), {from}, {to}, name);
  ir::Attribute to_attr;
  to_attr.kind = ir::Attribute::Kind::kInt;
  to_attr.i = static_cast<int64_t>(dtype);
  cast->attrs["to"] = to_attr;
  return cast;
}

}  // namespace

Status cut_at_out_nodes(ir::Model& model, const std::vector<std::string>& out_nodes) {
  if (out_nodes.empty()) return Status::ok();
  ir::Graph& graph = *model.graph;
  std::vector<ir::Value*> outputs;
  for (const std::string& spec : out_nodes) {
    KILN_ASSIGN_OR_RETURN(ir::Value* v, resolve_output_spec(graph, spec));
    if (std::find(outputs.begin(), outputs.end(), v) != outputs.end()) {
      return invalid_argument("E10001: Value [{}] for parameter [--out_nodes] is invalid. Reason: '{}' is listed twice",
                              spec, v->name);
    }
    outputs.push_back(v);
  }
  graph.outputs = std::move(outputs);
  KILN_ASSIGN_OR_RETURN(bool changed, eliminate_dead_code(graph));
  (void)changed;
  graph.prune_values();
  return graph.finalize();
}

Status make_fp16_input(ir::Model& model, const std::string& input) {
  ir::Graph& graph = *model.graph;
  ir::Value* in = nullptr;
  for (ir::Value* v : data_inputs(graph)) {
    if (v->name == input) in = v;
  }
  if (!in) {
    return invalid_argument(
        "E10001: Value [{}] for parameter [--input_fp16_nodes] is invalid. Reason: '{}' is not an input of the model; "
        "its inputs are: {}",
        input, input, input_names(graph));
  }
  if (in->type.kind != ir::TypeInfo::Kind::kTensor || !dtype_is_float(in->type.elem)) {
    return invalid_argument(
        "E10001: Value [{}] for parameter [--input_fp16_nodes] is invalid. Reason: input '{}' is {}, not a float "
        "tensor",
        input, input, in->type.str());
  }
  if (in->type.elem == DType::kFloat16) return Status::ok();
  ir::Value* widened = graph.new_value(in->name + "_fp16_to_" + std::string(dtype_name(in->type.elem)));
  widened->type = in->type;
  graph.replace_uses(in, widened);
  add_cast(model, in, widened, in->type.elem, "input_fp16_cast_" + in->name);
  in->type.elem = DType::kFloat16;
  return graph.finalize();
}

Status cast_output(ir::Model& model, size_t index, DType dtype) {
  ir::Graph& graph = *model.graph;
  ir::Value* out = graph.outputs.at(index);
  if (out->type.elem == dtype) return Status::ok();
  if (out->type.kind != ir::TypeInfo::Kind::kTensor || out->type.elem == DType::kString ||
      out->type.elem == DType::kUndefined) {
    return invalid_argument("E10001: --output_type: output '{}' is {}; it cannot be cast to {}", out->name,
                            out->type.str(), dtype_name(dtype));
  }
  if (!out->producer) {
    return invalid_argument("E10001: --output_type: output '{}' is a model input or constant; it cannot be cast",
                            out->name);
  }
  // The producer now writes `before`, and a Cast writes the output under its old name.
  ir::Value* before = graph.new_value(out->name + "_before_output_cast");
  before->type = out->type;
  ir::Node* producer = out->producer;
  for (ir::Value*& o : producer->outputs) {
    if (o == out) o = before;
  }
  std::vector<ir::Value*> outputs = graph.outputs;
  graph.replace_uses(out, before);
  graph.outputs = outputs;
  add_cast(model, before, out, dtype, "output_cast_" + out->name);
  out->type.elem = dtype;
  return graph.finalize();
}

Expected<size_t> output_index_of(const ir::Graph& graph, const std::vector<std::string>& out_nodes,
                                 const std::string& spec) {
  auto it = std::find(out_nodes.begin(), out_nodes.end(), spec);
  if (it == out_nodes.end() || static_cast<size_t>(it - out_nodes.begin()) >= graph.outputs.size()) {
    return invalid_argument("E10001: --output_type: '{}' is not in --out_nodes", spec);
  }
  return static_cast<size_t>(it - out_nodes.begin());
}

}  // namespace kiln::convert
