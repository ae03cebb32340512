#include "runtime/session.h"

#include <algorithm>
#include <unordered_set>

#include "backends/reference/backend.h"
#include "ops/op_schema.h"
#include "passes/infer_types.h"

namespace kiln {

namespace {

// Per-graph execution plan: the kernel of each node and which values die after each node.
struct GraphPlan {
  std::vector<KernelFn> kernels;
  std::vector<std::vector<const ir::Value*>> release_after;
};

void collect_unsupported(const ir::Graph& graph, std::vector<std::string>& problems) {
  for (const auto& node : graph.nodes) {
    for (const auto& [key, attr] : node->attrs) {
      if (attr.g) collect_unsupported(*attr.g, problems);
      for (const auto& g : attr.graphs) collect_unsupported(*g, problems);
    }
    const bool has_schema = find_op_schema(node->domain, node->op_type) != nullptr;
    const bool has_kernel = reference::find_kernel(node->domain, node->op_type) != nullptr;
    if (has_schema && has_kernel) continue;
    problems.push_back(fmt::format("node {} (op {}, domain {}, opset {}){}",
                                   node->name.empty() ? "#" + std::to_string(node->index) : "'" + node->name + "'",
                                   node->op_type,
                                   node->domain.empty() ? "ai.onnx" : node->domain, node->opset,
                                   has_schema ? ": no kernel in the reference backend" : ""));
  }
}

ir::TypeInfo type_of(const Value& v) {
  if (v.is_tensor()) return ir::TypeInfo::tensor_of(v.tensor().dtype(), v.tensor().shape());
  if (v.is_sequence()) {
    return ir::TypeInfo::sequence_of(ir::TypeInfo::tensor_unknown_shape(v.sequence().elem_type));
  }
  return {};
}

}  // namespace

Status check_supported(const ir::Model& model) {
  std::vector<std::string> problems;
  collect_unsupported(*model.graph, problems);
  if (problems.empty()) return Status::ok();
  std::string msg = fmt::format("'{}' has {} unsupported node(s):", model.path, problems.size());
  for (const auto& p : problems) msg += "\n  " + p;
  return Status(StatusCode::kUnsupported, msg);
}

struct Session::Impl {
  SessionOptions options;
  std::unordered_map<const ir::Graph*, GraphPlan> plans;
  std::unordered_map<const ir::Value*, Value> constants;

  void build_plans(const ir::Graph& graph) {
    GraphPlan plan;
    plan.kernels.resize(graph.nodes.size());
    plan.release_after.resize(graph.nodes.size());
    std::unordered_set<const ir::Value*> outputs(graph.outputs.begin(), graph.outputs.end());
    for (const auto& v : graph.values()) {
      if (v->constant) constants[v.get()] = Value(*v->constant);
      if (v->constant || v->is_outer_ref || outputs.count(v.get())) continue;
      int last = v->producer ? v->producer->index : -1;
      for (const ir::Node* c : v->consumers) last = std::max(last, c->index);
      if (last >= 0) plan.release_after[static_cast<size_t>(last)].push_back(v.get());
    }
    for (const auto& node : graph.nodes) {
      plan.kernels[static_cast<size_t>(node->index)] = reference::find_kernel(node->domain, node->op_type);
      for (const auto& [key, attr] : node->attrs) {
        if (attr.g) build_plans(*attr.g);
        for (const auto& g : attr.graphs) build_plans(*g);
      }
    }
    plans[&graph] = std::move(plan);
  }
};

namespace {

class Frame {
 public:
  Frame(const ir::Graph& graph, const Frame* parent, const Session::Impl& impl)
      : graph_(graph), parent_(parent), impl_(impl) {}

  const Value* lookup(const ir::Value* v) const {
    if (v->constant) return &impl_.constants.at(v);
    auto it = values_.find(v);
    if (it != values_.end()) return &it->second;
    if (v->is_outer_ref && parent_) return parent_->lookup_name(v->name);
    return nullptr;
  }
  const Value* lookup_name(const std::string& name) const {
    const ir::Value* v = graph_.find(name);
    if (v) {
      if (const Value* found = lookup(v)) return found;
    }
    return parent_ ? parent_->lookup_name(name) : nullptr;
  }
  void bind(const ir::Value* v, Value value) { values_[v] = std::move(value); }
  void release(const ir::Value* v) { values_.erase(v); }
  const ir::Graph& graph() const { return graph_; }

 private:
  const ir::Graph& graph_;
  const Frame* parent_;
  const Session::Impl& impl_;
  std::unordered_map<const ir::Value*, Value> values_;
};

Expected<std::vector<Value>> run_graph(const Session::Impl& impl, Frame& frame);

class ExecContext final : public KernelContext {
 public:
  ExecContext(const ir::Node& node, Frame& frame, const Session::Impl& impl)
      : node_(node), frame_(frame), impl_(impl), outputs_(node.outputs.size()), set_(node.outputs.size(), false) {
    inputs_.reserve(node.inputs.size());
    for (const ir::Value* in : node.inputs) inputs_.push_back(in ? frame.lookup(in) : nullptr);
  }

  const ir::Node& node() const override { return node_; }
  size_t num_inputs() const override { return inputs_.size(); }
  bool has_input(size_t i) const override {
    return i < inputs_.size() && inputs_[i] != nullptr && !inputs_[i]->is_none();
  }
  const Value& input_value(size_t i) const override {
    static const Value kNone;
    return i < inputs_.size() && inputs_[i] ? *inputs_[i] : kNone;
  }
  size_t num_outputs() const override { return outputs_.size(); }
  bool wants_output(size_t i) const override { return i < node_.outputs.size() && node_.outputs[i] != nullptr; }
  Tensor& allocate_output(size_t i, DType dtype, const Shape& shape) override {
    outputs_.at(i) = Value(Tensor(dtype, shape));
    set_[i] = true;
    return outputs_[i].tensor();
  }
  void set_output(size_t i, Value value) override {
    outputs_.at(i) = std::move(value);
    set_[i] = true;
  }
  Expected<std::vector<Value>> run_subgraph(const ir::Graph& graph, const std::vector<Value>& inputs) override {
    if (inputs.size() != graph.inputs.size()) {
      return error("subgraph '{}' takes {} inputs but {} were given", graph.name, graph.inputs.size(), inputs.size());
    }
    Frame sub(graph, &frame_, impl_);
    for (size_t i = 0; i < inputs.size(); ++i) sub.bind(graph.inputs[i], inputs[i]);
    return run_graph(impl_, sub);
  }

  const Value* raw_input(size_t i) const { return inputs_[i]; }
  std::vector<Value>& outputs() { return outputs_; }
  bool was_set(size_t i) const { return set_[i]; }

 private:
  const ir::Node& node_;
  Frame& frame_;
  const Session::Impl& impl_;
  std::vector<const Value*> inputs_;
  std::vector<Value> outputs_;
  std::vector<bool> set_;
};

// Re-runs inference on the concrete inputs and compares with what the kernel produced.
Status verify_outputs(const ir::Node& node, ExecContext& ctx) {
  const OpSchema* schema = find_op_schema(node.domain, node.op_type);
  if (!schema || !schema->infer) return Status::ok();
  std::vector<ir::TypeInfo> types(node.inputs.size());
  std::vector<const ir::TypeInfo*> type_ptrs(node.inputs.size(), nullptr);
  std::vector<const Tensor*> consts(node.inputs.size(), nullptr);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Value* v = ctx.raw_input(i);
    if (!node.inputs[i] || !v) continue;
    if (v->is_none()) {
      types[i] = node.inputs[i]->type;
    } else {
      types[i] = type_of(*v);
      if (v->is_tensor()) consts[i] = &v->tensor();
    }
    type_ptrs[i] = &types[i];
  }
  InferContext ictx(node, type_ptrs, consts);
  Status st = schema->infer(ictx);
  if (!st.is_ok()) return st.with_context("shape inference rejected the run-time inputs");
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (!node.outputs[i] || !ctx.was_set(i)) continue;
    const ir::TypeInfo& want = ictx.outputs()[i];
    const Value& got = ctx.outputs()[i];
    if (!got.is_tensor() || want.kind != ir::TypeInfo::Kind::kTensor) continue;
    const Tensor& t = got.tensor();
    bool ok = want.elem == DType::kUndefined || want.elem == t.dtype();
    if (ok && want.dims) {
      ok = static_cast<int64_t>(want.dims->size()) == t.rank();
      for (size_t d = 0; ok && d < want.dims->size(); ++d) {
        ok = !(*want.dims)[d].known() || (*want.dims)[d].value == t.dim(static_cast<int64_t>(d));
      }
    }
    if (!ok) {
      return internal_error("{}: shape inference says output {} is {} but the kernel produced {}", node.label(), i,
                            want.str(), t.describe());
    }
  }
  return Status::ok();
}

Expected<std::vector<Value>> run_graph(const Session::Impl& impl, Frame& frame) {
  const ir::Graph& graph = frame.graph();
  const GraphPlan& plan = impl.plans.at(&graph);
  for (const auto& node_ptr : graph.nodes) {
    const ir::Node& node = *node_ptr;
    const size_t idx = static_cast<size_t>(node.index);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i] && !frame.lookup(node.inputs[i])) {
        return invalid_argument("{}: input '{}' has no value (graph input not fed?)", node.label(),
                                node.inputs[i]->name);
      }
    }
    ExecContext ctx(node, frame, impl);
    KernelFn fn = plan.kernels[idx];
    if (!fn) return unsupported("{}: no kernel", node.label());
    Status st = fn(ctx);
    if (!st.is_ok()) {
      // Kernel errors already name the node; add it only when they do not.
      if (st.message().find(node.label()) == std::string::npos) st = st.with_context(node.label());
      return st;
    }
    if (impl.options.verify_inference) KILN_TRY(verify_outputs(node, ctx));
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (!node.outputs[i]) continue;
      if (!ctx.was_set(i)) {
        return internal_error("{}: kernel did not produce output {} ('{}')", node.label(), i, node.outputs[i]->name);
      }
      frame.bind(node.outputs[i], std::move(ctx.outputs()[i]));
    }
    for (const ir::Value* dead : plan.release_after[idx]) frame.release(dead);
  }
  std::vector<Value> results;
  results.reserve(graph.outputs.size());
  for (const ir::Value* out : graph.outputs) {
    const Value* v = frame.lookup(out);
    if (!v) return internal_error("graph '{}' output '{}' was not computed", graph.name, out->name);
    results.push_back(*v);
  }
  return results;
}

std::string dims_str(const ir::TypeInfo& t) {
  std::string s = t.str();
  auto pos = s.find('[');
  return pos == std::string::npos ? s : s.substr(pos);
}

Status check_input(const ir::Value& decl, const Value& v) {
  const ir::TypeInfo& t = decl.type;
  if (t.kind == ir::TypeInfo::Kind::kTensor) {
    if (!v.is_tensor()) return invalid_argument("input '{}' must be a tensor", decl.name);
    const Tensor& x = v.tensor();
    if (t.elem != DType::kUndefined && x.dtype() != t.elem) {
      return invalid_argument("input '{}' expects dtype {} but got {}", decl.name, dtype_name(t.elem),
                              dtype_name(x.dtype()));
    }
    if (t.dims) {
      bool ok = static_cast<int64_t>(t.dims->size()) == x.rank();
      for (size_t d = 0; ok && d < t.dims->size(); ++d) {
        ok = !(*t.dims)[d].known() || (*t.dims)[d].value == x.dim(static_cast<int64_t>(d));
      }
      if (!ok) {
        return invalid_argument("input '{}' expects shape {} (rank {}) but got {} (rank {})", decl.name,
                                dims_str(t), t.dims->size(), dims_str(ir::TypeInfo::tensor_of(x.dtype(), x.shape())),
                                x.rank());
      }
    }
  } else if (t.kind == ir::TypeInfo::Kind::kSequence && !v.is_sequence()) {
    return invalid_argument("input '{}' must be a sequence", decl.name);
  }
  return Status::ok();
}

}  // namespace

Session::~Session() = default;

Expected<std::unique_ptr<Session>> Session::create(std::shared_ptr<ir::Model> model, SessionOptions options) {
  if (!model || !model->graph) return invalid_argument("Session::create: no model");
  KILN_TRY(check_supported(*model));
  KILN_TRY(infer_types(*model).with_context(model->path));
  std::unique_ptr<Session> s(new Session());
  s->model_ = std::move(model);
  s->impl_ = std::make_unique<Impl>();
  s->impl_->options = options;
  s->impl_->build_plans(*s->model_->graph);
  return s;
}

Expected<std::vector<Value>> Session::run(const std::vector<NamedValue>& inputs) const {
  const ir::Graph& graph = *model_->graph;
  Frame frame(graph, nullptr, *impl_);
  std::unordered_set<const ir::Value*> fed;
  for (const NamedValue& nv : inputs) {
    const ir::Value* decl = nullptr;
    for (const ir::Value* in : graph.inputs) {
      if (in->name == nv.name) decl = in;
    }
    if (!decl) {
      std::string names;
      for (const ir::Value* in : graph.inputs) names += (names.empty() ? "" : ", ") + in->name;
      return invalid_argument("the model has no input named '{}'; its inputs are: {}", nv.name, names);
    }
    KILN_TRY(check_input(*decl, nv.value));
    fed.insert(decl);
    if (decl->constant) {
      // Overriding an initializer default: bind into a non-constant slot is not possible since
      // lookups prefer constants; reject rather than silently ignore.
      return unsupported("input '{}' has an initializer; overriding initializers is not supported", nv.name);
    }
    frame.bind(decl, nv.value);
  }
  for (const ir::Value* in : graph.inputs) {
    if (!fed.count(in) && !in->constant) {
      if (in->type.kind == ir::TypeInfo::Kind::kOptional) {
        frame.bind(in, Value());
        continue;
      }
      return invalid_argument("input '{}' ({}) was not given", in->name, in->type.str());
    }
  }
  return run_graph(*impl_, frame);
}

}  // namespace kiln
