#include "frontend/onnx/onnx_writer.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <unordered_set>

#include "frontend/onnx/tensor_proto.h"

namespace kiln::onnx_frontend {

namespace {

void type_to_proto(const ir::TypeInfo& t, onnx::TypeProto* proto) {
  switch (t.kind) {
    case ir::TypeInfo::Kind::kTensor: {
      auto* tt = proto->mutable_tensor_type();
      tt->set_elem_type(static_cast<int32_t>(t.elem));
      if (t.dims) {
        auto* shape = tt->mutable_shape();  // present even for rank 0 (scalar)
        for (const ir::Dim& d : *t.dims) {
          auto* dim = shape->add_dim();
          if (d.known()) dim->set_dim_value(d.value);
          else if (!d.symbol.empty()) dim->set_dim_param(d.symbol);
        }
      }
      break;
    }
    case ir::TypeInfo::Kind::kSequence:
      if (t.inner) type_to_proto(*t.inner, proto->mutable_sequence_type()->mutable_elem_type());
      else proto->mutable_sequence_type();
      break;
    case ir::TypeInfo::Kind::kOptional:
      if (t.inner) type_to_proto(*t.inner, proto->mutable_optional_type()->mutable_elem_type());
      else proto->mutable_optional_type();
      break;
    case ir::TypeInfo::Kind::kUnknown:
      break;
  }
}

void value_info(const ir::Value& v, onnx::ValueInfoProto* proto) {
  proto->set_name(v.name);
  if (v.type.kind != ir::TypeInfo::Kind::kUnknown) type_to_proto(v.type, proto->mutable_type());
}

// Highest opset any node of `g` (and its subgraphs) has per domain.
void collect_domains(const ir::Graph& g, std::map<std::string, int>& used) {
  for (const auto& node : g.nodes) {
    int& v = used[node->domain];
    v = std::max({v, node->opset, 1});
    for (const auto& [key, attr] : node->attrs) {
      if (attr.g) collect_domains(*attr.g, used);
      for (const auto& sub : attr.graphs) collect_domains(*sub, used);
    }
  }
}

struct Writer {
  const WriteOptions& options;

  Status tensor(const Tensor& t, const std::string& name, onnx::TensorProto* proto) {
    if (!options.external || t.dtype() == DType::kString) {
      tensor_to_proto(t, name, proto);
      return Status::ok();
    }
    proto->set_name(name);
    proto->set_data_type(static_cast<int32_t>(t.dtype()));
    for (int64_t d : t.shape()) proto->add_dims(d);
    KILN_ASSIGN_OR_RETURN(ExternalRef ref, options.external(t));
    proto->set_data_location(onnx::TensorProto::EXTERNAL);
    auto add = [&](const char* key, const std::string& value) {
      auto* kv = proto->add_external_data();
      kv->set_key(key);
      kv->set_value(value);
    };
    add("location", ref.location);
    add("offset", std::to_string(ref.offset));
    add("length", std::to_string(t.nbytes()));
    return Status::ok();
  }

  Status attribute(const std::string& key, const ir::Attribute& a, onnx::AttributeProto* proto) {
    using K = ir::Attribute::Kind;
    proto->set_name(key);
    switch (a.kind) {
      case K::kFloat: proto->set_type(onnx::AttributeProto::FLOAT); proto->set_f(a.f); break;
      case K::kInt: proto->set_type(onnx::AttributeProto::INT); proto->set_i(a.i); break;
      case K::kString: proto->set_type(onnx::AttributeProto::STRING); proto->set_s(a.s); break;
      case K::kTensor:
        proto->set_type(onnx::AttributeProto::TENSOR);
        KILN_TRY(tensor(a.t, "", proto->mutable_t()));
        break;
      case K::kGraph:
        proto->set_type(onnx::AttributeProto::GRAPH);
        if (!a.g) return internal_error("graph attribute '{}' has no graph", key);
        KILN_TRY(graph(*a.g, proto->mutable_g()));
        break;
      case K::kFloats:
        proto->set_type(onnx::AttributeProto::FLOATS);
        for (float f : a.floats) proto->add_floats(f);
        break;
      case K::kInts:
        proto->set_type(onnx::AttributeProto::INTS);
        for (int64_t i : a.ints) proto->add_ints(i);
        break;
      case K::kStrings:
        proto->set_type(onnx::AttributeProto::STRINGS);
        for (const auto& s : a.strings) proto->add_strings(s);
        break;
      case K::kTensors:
        proto->set_type(onnx::AttributeProto::TENSORS);
        for (const Tensor& t : a.tensors) KILN_TRY(tensor(t, "", proto->add_tensors()));
        break;
      case K::kGraphs:
        proto->set_type(onnx::AttributeProto::GRAPHS);
        for (const auto& g : a.graphs) {
          if (!g) return internal_error("graphs attribute '{}' holds a null graph", key);
          KILN_TRY(graph(*g, proto->add_graphs()));
        }
        break;
      case K::kTypeProto:
        proto->set_type(onnx::AttributeProto::TYPE_PROTO);
        type_to_proto(a.type, proto->mutable_tp());
        break;
    }
    return Status::ok();
  }

  Status graph(const ir::Graph& g, onnx::GraphProto* proto) {
    proto->set_name(g.name);
    std::unordered_set<const ir::Value*> declared(g.inputs.begin(), g.inputs.end());
    declared.insert(g.outputs.begin(), g.outputs.end());
    for (const auto& v : g.values()) {
      if (v->constant) KILN_TRY(tensor(*v->constant, v->name, proto->add_initializer()));
    }
    for (const ir::Value* v : g.inputs) value_info(*v, proto->add_input());
    for (const ir::Value* v : g.outputs) value_info(*v, proto->add_output());
    for (const auto& v : g.values()) {
      // Outer refs are declared by the graph that defines them.
      if (declared.count(v.get()) || v->constant || v->is_outer_ref) continue;
      if (v->type.kind == ir::TypeInfo::Kind::kUnknown) continue;
      if (!v->producer) continue;  // left behind by a rewrite: nothing defines it
      value_info(*v, proto->add_value_info());
    }
    for (const auto& node : g.nodes) {
      onnx::NodeProto* np = proto->add_node();
      np->set_name(node->name);
      np->set_op_type(node->op_type);
      np->set_domain(node->domain);
      for (const ir::Value* in : node->inputs) np->add_input(in ? in->name : std::string());
      for (const ir::Value* out : node->outputs) np->add_output(out ? out->name : std::string());
      for (const auto& [key, attr] : node->attrs) {
        KILN_TRY(attribute(key, attr, np->add_attribute()).with_context(node->label()));
      }
    }
    return Status::ok();
  }
};

}  // namespace

Expected<std::string> write_model_bytes(const ir::Model& model, const WriteOptions& options) {
  if (!model.graph) return invalid_argument("write_model_bytes: the model has no graph");
  onnx::ModelProto proto;
  // IR version 8 (ONNX 1.10+): optional/sequence types and inputs apart from initializers.
  proto.set_ir_version(std::max<int64_t>(model.ir_version, 8));
  proto.set_producer_name(model.producer_name);
  proto.set_producer_version(model.producer_version);
  for (const auto& [key, value] : model.metadata) {
    auto* kv = proto.add_metadata_props();
    kv->set_key(key);
    kv->set_value(value);
  }
  // Every domain the model imports, plus those that passes introduced (the "kiln" domain of
  // fused ops), at the highest opset its nodes carry.
  std::map<std::string, int> opsets = model.opsets;
  std::map<std::string, int> used;
  collect_domains(*model.graph, used);
  for (const auto& [domain, version] : used) opsets.try_emplace(domain, version);
  for (const auto& [domain, version] : opsets) {
    auto* op = proto.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  Writer w{options};
  KILN_TRY(w.graph(*model.graph, proto.mutable_graph()));
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) {
    return internal_error("cannot serialize the ONNX model of '{}' (over 2 GiB inline?)", model.path);
  }
  return bytes;
}

}  // namespace kiln::onnx_frontend
