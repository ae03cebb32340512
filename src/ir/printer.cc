#include "ir/printer.h"

#include <unordered_set>

namespace kiln::ir {

namespace {

std::string value_ref(const Value* v) {
  if (!v) return "%<none>";
  return "%" + v->name;
}

template <typename T>
std::string join_list(const std::vector<T>& items, size_t limit = 16) {
  std::string s = "[";
  for (size_t i = 0; i < items.size() && i < limit; ++i) s += (i ? "," : "") + fmt::format("{}", items[i]);
  if (items.size() > limit) s += ",...";
  return s + "]";
}

}  // namespace

std::string print_attribute(const Attribute& a) {
  switch (a.kind) {
    case Attribute::Kind::kFloat: return fmt::format("{}", a.f);
    case Attribute::Kind::kInt: return std::to_string(a.i);
    case Attribute::Kind::kString: return "\"" + a.s + "\"";
    case Attribute::Kind::kTensor: return "tensor " + a.t.describe();
    case Attribute::Kind::kGraph: return "graph '" + (a.g ? a.g->name : std::string()) + "'";
    case Attribute::Kind::kFloats: return join_list(a.floats);
    case Attribute::Kind::kInts: return join_list(a.ints);
    case Attribute::Kind::kStrings: {
      std::vector<std::string> quoted;
      for (const auto& s : a.strings) quoted.push_back("\"" + s + "\"");
      return join_list(quoted);
    }
    case Attribute::Kind::kTensors: return fmt::format("{} tensors", a.tensors.size());
    case Attribute::Kind::kGraphs: return fmt::format("{} graphs", a.graphs.size());
    case Attribute::Kind::kTypeProto: return "type " + a.type.str();
  }
  return "?";
}

std::string print_graph(const Graph& graph, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  std::string s = pad + "graph " + graph.name + " (";
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    s += (i ? ", " : "") + value_ref(graph.inputs[i]) + ": " + graph.inputs[i]->type.str();
  }
  s += ") -> (";
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    s += (i ? ", " : "") + value_ref(graph.outputs[i]) + ": " + graph.outputs[i]->type.str();
  }
  s += ") {\n";
  for (const auto& node : graph.nodes) {
    s += pad + "  ";
    for (size_t i = 0; i < node->outputs.size(); ++i) {
      const Value* o = node->outputs[i];
      s += (i ? ", " : "") + value_ref(o) + (o ? ": " + o->type.str() : "");
    }
    s += " = " + (node->domain.empty() ? "" : node->domain + ".") + node->op_type + "(";
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Value* in = node->inputs[i];
      s += (i ? ", " : "") + value_ref(in);
      if (in && in->constant) s += "=" + in->constant->describe();
    }
    s += ")";
    if (!node->attrs.empty()) {
      s += " {";
      bool first = true;
      for (const auto& [key, attr] : node->attrs) {
        s += (first ? "" : ", ") + key + "=" + print_attribute(attr);
        first = false;
      }
      s += "}";
    }
    if (!node->name.empty()) s += "  # " + node->name;
    s += "\n";
    for (const auto& [key, attr] : node->attrs) {
      if (attr.g) s += print_graph(*attr.g, indent + 4);
      for (const auto& g : attr.graphs) s += print_graph(*g, indent + 4);
    }
  }
  s += pad + "}\n";
  return s;
}

namespace {

Status verify_graph(const Graph& graph, const std::string& where) {
  for (const Value* out : graph.outputs) {
    if (!out->producer && !out->is_graph_input && !out->constant && !out->is_outer_ref) {
      return invalid_model("{}: graph output '{}' is never produced", where, out->name);
    }
  }
  for (const auto& node : graph.nodes) {
    if (node->op_type.empty()) return invalid_model("{}: node #{} has no op_type", where, node->index);
    std::unordered_set<const Value*> outs;
    for (const Value* o : node->outputs) {
      if (o && !outs.insert(o).second) {
        return invalid_model("{}: {} lists output '{}' twice", where, node->label(), o->name);
      }
    }
    for (const auto& [key, attr] : node->attrs) {
      if (attr.g) KILN_TRY(verify_graph(*attr.g, where));
      for (const auto& g : attr.graphs) KILN_TRY(verify_graph(*g, where));
    }
  }
  return Status::ok();
}

}  // namespace

Status verify_model(const Model& model) {
  if (!model.graph) return invalid_model("{}: no graph", model.path);
  return verify_graph(*model.graph, model.path);
}

}  // namespace kiln::ir
