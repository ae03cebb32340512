#include "frontend/onnx/function_inliner.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <utility>
#include <vector>

namespace kiln::onnx_frontend {

namespace {

constexpr int kMaxDepth = 64;

std::string norm_domain(const std::string& d) { return d == "ai.onnx" ? "" : d; }

using Key = std::pair<std::string, std::string>;  // (domain, name)

std::string key_str(const Key& k) { return k.first.empty() ? k.second : k.first + "." + k.second; }

struct Inliner {
  onnx::ModelProto* model;
  const std::string& file;
  std::map<Key, const onnx::FunctionProto*> functions;
  std::map<Key, bool> imports_checked;
  int counter = 0;

  // Renames every value name in a (copied) body node, including inside its subgraphs, and
  // substitutes ref'd attributes from the caller.
  struct Instance {
    std::map<std::string, std::string> formal;  // formal input/output name -> actual name
    std::string prefix;
    const onnx::NodeProto* caller;
    std::string rename(const std::string& n) const {
      if (n.empty()) return n;
      auto it = formal.find(n);
      return it != formal.end() ? it->second : prefix + n;
    }
  };

  void rename_graph(onnx::GraphProto* g, const Instance& inst) {
    for (auto& i : *g->mutable_initializer()) i.set_name(inst.rename(i.name()));
    for (auto& i : *g->mutable_input()) i.set_name(inst.rename(i.name()));
    for (auto& o : *g->mutable_output()) o.set_name(inst.rename(o.name()));
    for (auto& v : *g->mutable_value_info()) v.set_name(inst.rename(v.name()));
    for (auto& n : *g->mutable_node()) rename_node(&n, inst);
  }

  void rename_node(onnx::NodeProto* n, const Instance& inst) {
    for (auto& s : *n->mutable_input()) s = inst.rename(s);
    for (auto& s : *n->mutable_output()) s = inst.rename(s);
    if (!n->name().empty()) n->set_name(inst.prefix + n->name());
    google::protobuf::RepeatedPtrField<onnx::AttributeProto> attrs;
    for (const auto& a : n->attribute()) {
      if (!a.ref_attr_name().empty()) {
        const onnx::AttributeProto* given = nullptr;
        for (const auto& ca : inst.caller->attribute()) {
          if (ca.name() == a.ref_attr_name()) given = &ca;
        }
        if (!given) continue;  // neither given nor defaulted: the op's own default applies
        onnx::AttributeProto* na = attrs.Add();
        *na = *given;
        na->set_name(a.name());
        continue;
      }
      onnx::AttributeProto* na = attrs.Add();
      *na = a;
      if (na->has_g()) rename_graph(na->mutable_g(), inst);
      for (auto& sg : *na->mutable_graphs()) rename_graph(&sg, inst);
    }
    n->mutable_attribute()->Swap(&attrs);
  }

  Status check_imports(const onnx::FunctionProto& f, const Key& key) {
    if (imports_checked[key]) return Status::ok();
    imports_checked[key] = true;
    for (const auto& op : f.opset_import()) {
      std::string d = norm_domain(op.domain());
      const onnx::OperatorSetIdProto* found = nullptr;
      for (const auto& mop : model->opset_import()) {
        if (norm_domain(mop.domain()) == d) found = &mop;
      }
      if (!found) {
        auto* add = model->add_opset_import();
        add->set_domain(d);
        add->set_version(op.version());
      } else if (found->version() != op.version()) {
        return unsupported(
            "'{}': model-local function '{}' imports domain '{}' version {}, but the model imports version {}; "
            "functions with a different opset than the model are not supported",
            file, key_str(key), d.empty() ? "ai.onnx" : d, op.version(), found->version());
      }
    }
    return Status::ok();
  }

  Status expand_graph(onnx::GraphProto* g, std::vector<Key>* stack) {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> out;
    KILN_TRY(expand_nodes(g->node(), &out, stack));
    g->mutable_node()->Swap(&out);
    return Status::ok();
  }

  Status expand_nodes(const google::protobuf::RepeatedPtrField<onnx::NodeProto>& nodes,
                      google::protobuf::RepeatedPtrField<onnx::NodeProto>* out, std::vector<Key>* stack) {
    int index = 0;
    for (const auto& n : nodes) {
      ++index;
      Key key{norm_domain(n.domain()), n.op_type()};
      auto it = functions.find(key);
      if (it == functions.end()) {
        onnx::NodeProto* copy = out->Add();
        *copy = n;
        for (auto& a : *copy->mutable_attribute()) {
          if (a.has_g()) KILN_TRY(expand_graph(a.mutable_g(), stack));
          for (auto& sg : *a.mutable_graphs()) KILN_TRY(expand_graph(&sg, stack));
        }
        continue;
      }
      const onnx::FunctionProto& f = *it->second;
      std::string node_label = n.name().empty() ? "node #" + std::to_string(index - 1) + " (" + n.op_type() + ")"
                                                : "node '" + n.name() + "'";
      for (const auto& k : *stack) {
        if (k == key) {
          std::string cycle;
          for (const auto& s : *stack) cycle += key_str(s) + " -> ";
          return invalid_model("'{}': model-local function '{}' is recursive ({}{}), called by {}", file,
                               key_str(key), cycle, key_str(key), node_label);
        }
      }
      if (static_cast<int>(stack->size()) >= kMaxDepth) {
        return unsupported("'{}': model-local function '{}' called by {} nests functions deeper than {}", file,
                           key_str(key), node_label, kMaxDepth);
      }
      if (n.input_size() > f.input_size()) {
        return invalid_model("'{}': {} calls model-local function '{}' with {} inputs, but it declares {}", file,
                             node_label, key_str(key), n.input_size(), f.input_size());
      }
      if (n.output_size() > f.output_size()) {
        return invalid_model("'{}': {} calls model-local function '{}' with {} outputs, but it declares {}", file,
                             node_label, key_str(key), n.output_size(), f.output_size());
      }
      KILN_TRY(check_imports(f, key));
      Instance inst;
      inst.caller = &n;
      std::string tag = n.name().empty() ? "n" + std::to_string(index - 1) : n.name();
      inst.prefix = f.name() + "@" + tag + "#" + std::to_string(counter++) + "/";
      for (int i = 0; i < f.input_size(); ++i) inst.formal[f.input(i)] = i < n.input_size() ? n.input(i) : "";
      for (int i = 0; i < f.output_size(); ++i) {
        // An omitted output still gets a unique (unused) name so the body stays well-formed.
        if (i < n.output_size() && !n.output(i).empty()) inst.formal[f.output(i)] = n.output(i);
      }
      google::protobuf::RepeatedPtrField<onnx::NodeProto> body;
      int bi = 0;
      for (const auto& bn : f.node()) {
        onnx::NodeProto* c = body.Add();
        *c = bn;
        if (c->name().empty()) c->set_name("node" + std::to_string(bi));
        ++bi;
        rename_node(c, inst);
      }
      stack->push_back(key);
      Status s = expand_nodes(body, out, stack);
      stack->pop_back();
      KILN_TRY(std::move(s));
    }
    return Status::ok();
  }
};

}  // namespace

Status inline_model_functions(onnx::ModelProto* model, const std::string& display_name) {
  if (model->functions_size() == 0) return Status::ok();
  Inliner in{model, display_name, {}, {}};
  for (const auto& f : model->functions()) {
    Key key{norm_domain(f.domain()), f.name()};
    if (f.name().empty()) return invalid_model("'{}' defines a model-local function without a name", display_name);
    if (!in.functions.emplace(key, &f).second) {
      return invalid_model("'{}' defines model-local function '{}' twice", display_name, key_str(key));
    }
  }
  std::vector<Key> stack;
  KILN_TRY(in.expand_graph(model->mutable_graph(), &stack));
  // Functions are no longer needed; the function table pointed into model->functions().
  in.functions.clear();
  model->clear_functions();
  return Status::ok();
}

}  // namespace kiln::onnx_frontend
