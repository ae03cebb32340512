#include "runtime/session.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_set>

#include "backends/cpu/backend.h"
#include "backends/reference/backend.h"
#include "core/cpu_features.h"
#include "ops/op_schema.h"
#include "passes/infer_types.h"
#include "passes/pipeline.h"
#include "runtime/batch_split.h"
#include "runtime/memory_plan.h"

namespace kiln {

namespace {

// Per-graph execution plan: the kernel of each node (a prepared one, else the reference
// function) and which values die after each node.
struct GraphPlan {
  std::vector<KernelFn> kernels;
  std::vector<std::unique_ptr<OpKernel>> prepared;
  std::vector<std::vector<const ir::Value*>> release_after;
};

void collect_unsupported(const ir::Graph& graph, std::vector<std::string>& problems) {
  for (const auto& node : graph.nodes) {
    for (const auto& [key, attr] : node->attrs) {
      if (attr.g) collect_unsupported(*attr.g, problems);
      for (const auto& g : attr.graphs) collect_unsupported(*g, problems);
    }
    const bool has_schema = find_op_schema(node->domain, node->op_type) != nullptr;
    const bool has_kernel = reference::find_kernel(node->domain, node->op_type) != nullptr ||
                            !cpu::find_prepare(node->domain, node->op_type).empty();
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

// What one run needs besides values: the activation arena and kernel scratch. Pooled by the
// session and reused, so a run of an already-seen shape allocates nothing for planned values.
struct RunResources {
  std::shared_ptr<Storage> arena;
  std::vector<Tensor> scratch;  // bump list, reset before each node
  size_t scratch_next = 0;

  void* scratch_bytes(size_t bytes) {
    if (scratch_next == scratch.size()) scratch.emplace_back();
    Tensor& t = scratch[scratch_next++];
    if (!t.valid() || t.nbytes() < bytes) t = Tensor::uninitialized(DType::kUInt8, {static_cast<int64_t>(bytes)});
    return t.raw();
  }
};

struct Session::Impl {
  SessionOptions options;
  std::unordered_map<const ir::Graph*, GraphPlan> plans;
  std::unordered_map<const ir::Value*, Value> constants;
  MemoryPlan memory;  // top-level graph; empty for the reference backend
  const ir::Graph* top_graph = nullptr;
  BatchSplit split;          // batch > 1: kernels and `memory` are made for one image
  int prepare_threads = 1;   // the threads kernels are prepared for

  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<RunResources>> pool;

  std::unique_ptr<RunResources> acquire() const {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      if (!pool.empty()) {
        auto r = std::move(pool.back());
        pool.pop_back();
        return r;
      }
    }
    auto r = std::make_unique<RunResources>();
    if (memory.arena_bytes > 0) r->arena = std::make_shared<Storage>(DType::kUInt8, memory.arena_bytes, false);
    return r;
  }
  void release(std::unique_ptr<RunResources> r) const {
    std::lock_guard<std::mutex> lock(pool_mutex);
    pool.push_back(std::move(r));
  }

  // The first CPU candidate that accepts the node, or nullptr.
  Expected<std::unique_ptr<OpKernel>> prepare_cpu(const ir::Node& node, bool top_level) const {
    PrepareContext pctx{node, {}, {}, {}, prepare_threads, nullptr};
    if (top_level && options.packed) pctx.packed = options.packed->find(packed_key(node));
    for (const ir::Value* in : node.inputs) {
      pctx.input_types.push_back(in ? &in->type : nullptr);
      pctx.constants.push_back(in ? in->known_value() : nullptr);
    }
    for (const ir::Value* out : node.outputs) pctx.output_types.push_back(out ? &out->type : nullptr);
    for (PrepareFn prepare : cpu::find_prepare(node.domain, node.op_type)) {
      auto kernel = prepare(pctx);
      if (!kernel) {
        Status st = kernel.status();
        if (st.message().find(node.label()) == std::string::npos) st = st.with_context(node.label());
        return st;
      }
      if (*kernel) return std::move(*kernel);
    }
    return std::unique_ptr<OpKernel>();
  }

  Status build_plans(const ir::Graph& graph) {
    GraphPlan plan;
    plan.kernels.resize(graph.nodes.size());
    plan.prepared.resize(graph.nodes.size());
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
      const size_t idx = static_cast<size_t>(node->index);
      plan.kernels[idx] = reference::find_kernel(node->domain, node->op_type);
      if (options.backend == Backend::kCpu) {
        KILN_ASSIGN_OR_RETURN(plan.prepared[idx], prepare_cpu(*node, &graph == top_graph));
      }
      if (!plan.kernels[idx] && !plan.prepared[idx]) {
        return unsupported("{}: no CPU kernel accepts this node and there is no reference kernel", node->label());
      }
      for (const auto& [key, attr] : node->attrs) {
        if (attr.g) KILN_TRY(build_plans(*attr.g));
        for (const auto& g : attr.graphs) KILN_TRY(build_plans(*g));
      }
    }
    plans[&graph] = std::move(plan);
    return Status::ok();
  }
};

namespace {

class Frame {
 public:
  Frame(const ir::Graph& graph, const Frame* parent, const Session::Impl& impl, RunResources* resources,
        const MemoryPlan* memory)
      : graph_(graph), parent_(parent), impl_(impl), resources_(resources), memory_(memory) {}

  RunResources* resources() const { return resources_; }
  // The arena plan when this frame runs the planned (top-level) graph, else nullptr.
  const MemoryPlan* memory() const { return memory_; }

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
  RunResources* resources_;
  const MemoryPlan* memory_;
  std::unordered_map<const ir::Value*, Value> values_;
};

Expected<std::vector<Value>> run_graph(const Session::Impl& impl, Frame& frame, RunProfile* profile = nullptr);

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
    Tensor& t = allocate_output_uninit(i, dtype, shape);
    if (dtype != DType::kString) std::memset(t.raw(), 0, t.nbytes());
    return t;
  }
  void set_output(size_t i, Value value) override {
    // A kernel may hand back (a view of) an input. Inside the arena that is only safe for the
    // view ops the planner extended lifetimes for; anything else is copied out.
    if (value.is_tensor() && arena() && value.tensor().storage() == arena() &&
        !(i == 0 && frame_.memory()->view_nodes.count(&node_))) {
      value = Value(value.tensor().clone());
    }
    outputs_.at(i) = std::move(value);
    set_[i] = true;
  }
  Tensor& allocate_output_uninit(size_t i, DType dtype, const Shape& shape) override {
    if (const MemoryPlan* plan = frame_.memory(); plan && arena() && dtype != DType::kString) {
      auto it = plan->slots.find(node_.outputs.at(i));
      if (it != plan->slots.end() && static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype) <= it->second.bytes) {
        outputs_.at(i) = Value(Tensor::view(frame_.resources()->arena, it->second.offset, dtype, shape));
        set_[i] = true;
        return outputs_[i].tensor();
      }
    }
    outputs_.at(i) = Value(Tensor::uninitialized(dtype, shape));
    set_[i] = true;
    return outputs_[i].tensor();
  }
  void* scratch(size_t bytes) override { return frame_.resources()->scratch_bytes(bytes); }
  Expected<std::vector<Value>> run_subgraph(const ir::Graph& graph, const std::vector<Value>& inputs) override {
    if (inputs.size() != graph.inputs.size()) {
      return error("subgraph '{}' takes {} inputs but {} were given", graph.name, graph.inputs.size(), inputs.size());
    }
    Frame sub(graph, &frame_, impl_, frame_.resources(), nullptr);
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

  const Storage* arena() const {
    return frame_.memory() && frame_.resources()->arena ? frame_.resources()->arena.get() : nullptr;
  }
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

Expected<std::vector<Value>> run_graph(const Session::Impl& impl, Frame& frame, RunProfile* profile) {
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
    frame.resources()->scratch_next = 0;
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = profile ? Clock::now() : Clock::time_point();
    Status st = Status::ok();
    if (const OpKernel* prepared = plan.prepared[idx].get()) {
      st = prepared->run(ctx);
    } else if (KernelFn fn = plan.kernels[idx]) {
      st = fn(ctx);
    } else {
      return unsupported("{}: no kernel", node.label());
    }
    if (profile) {
      profile->node_ns[idx] += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    }
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


// Replaces symbolic/unknown dims of the named inputs by the given sizes (known dims must agree).
Status apply_input_shapes(ir::Graph& graph, const std::map<std::string, Shape>& shapes) {
  for (const auto& [name, shape] : shapes) {
    ir::Value* decl = nullptr;
    for (ir::Value* in : graph.inputs) {
      if (in->name == name) decl = in;
    }
    if (!decl) {
      std::string names;
      for (const ir::Value* in : graph.inputs) names += (names.empty() ? "" : ", ") + in->name;
      return invalid_argument("a shape was given for '{}', but the model's inputs are: {}", name, names);
    }
    if (decl->type.kind != ir::TypeInfo::Kind::kTensor) return invalid_argument("input '{}' is not a tensor", name);
    if (decl->type.dims && decl->type.dims->size() != shape.size()) {
      return invalid_argument("input '{}' has rank {} ({}) but the given shape {} has rank {}", name,
                              decl->type.dims->size(), decl->type.str(), shape_str(shape), shape.size());
    }
    for (size_t d = 0; decl->type.dims && d < shape.size(); ++d) {
      const ir::Dim& dim = (*decl->type.dims)[d];
      if (dim.known() && dim.value != shape[d]) {
        return invalid_argument("input '{}' is {}: dim {} is fixed to {}, the given shape {} says {}", name,
                                decl->type.str(), d, dim.value, shape_str(shape), shape[d]);
      }
    }
    decl->type = ir::TypeInfo::tensor_of(decl->type.elem, shape);
  }
  return Status::ok();
}


// A batch split's run: sub-batch k (images [k*g, (k+1)*g)) of every input is viewed (not copied)
// as an input of the sub-batch plan, run, and its outputs copied into the batch's outputs.
// Sub-batches go to whichever thread is free (a stalled core delays one sub-batch, not the batch).
Expected<std::vector<Value>> run_in_sub_batches(const Session::Impl& impl, const ir::Graph& graph,
                                                const std::vector<std::pair<const ir::Value*, Value>>& bound,
                                                RunProfile* profile, int threads) {
  const int64_t batch = impl.split.batch, runs = impl.split.runs(), images = impl.split.images;
  for (const auto& [decl, value] : bound) {
    // check_input() held every input to its declared shape, whose dim 0 is the batch.
    if (!value.is_tensor() || value.tensor().rank() == 0 || value.tensor().dim(0) != batch) {
      return internal_error("batch split: input '{}' is not a batch of {}", decl->name, batch);
    }
  }
  std::vector<Value> results;
  for (const ir::Value* out : graph.outputs) results.emplace_back(Tensor::uninitialized(out->type.elem, out->type.concrete()));
  const int team = static_cast<int>(std::clamp<int64_t>(threads, 1, runs));
  std::vector<RunProfile> profiles(profile ? static_cast<size_t>(team) : 0);
  for (RunProfile& p : profiles) p.node_ns.assign(graph.nodes.size(), 0);
  auto run_one = [&](int64_t k, RunProfile* prof) -> Status {
    std::unique_ptr<RunResources> resources = impl.acquire();
    struct GiveBack {
      const Session::Impl& impl;
      std::unique_ptr<RunResources>& r;
      ~GiveBack() { impl.release(std::move(r)); }
    } give_back{impl, resources};
    Frame frame(graph, nullptr, impl, resources.get(), &impl.memory);
    for (const auto& [decl, value] : bound) {
      const Tensor& x = value.tensor();
      Shape shape = x.shape();
      shape[0] = images;
      const size_t bytes = x.nbytes() / static_cast<size_t>(runs);
      char* part = static_cast<char*>(const_cast<void*>(x.raw())) + static_cast<size_t>(k) * bytes;
      frame.bind(decl, Value(Tensor::wrap(x.dtype(), std::move(shape), part, nullptr)));
    }
    KILN_ASSIGN_OR_RETURN(std::vector<Value> outs, run_graph(impl, frame, prof));
    for (size_t o = 0; o < outs.size(); ++o) {
      Tensor& y = results[o].tensor();
      const size_t bytes = y.nbytes() / static_cast<size_t>(runs);
      if (!outs[o].is_tensor() || outs[o].tensor().nbytes() != bytes || outs[o].tensor().dtype() != y.dtype()) {
        return internal_error("batch split: sub-batch {} gave output '{}' as {}, expected {} of the {} images of {}", k,
                              graph.outputs[o]->name, outs[o].is_tensor() ? outs[o].tensor().describe() : "a non-tensor",
                              images, batch, y.describe());
      }
      std::memcpy(static_cast<char*>(y.raw()) + static_cast<size_t>(k) * bytes, outs[o].tensor().raw(), bytes);
    }
    return Status::ok();
  };
  std::vector<Status> failed(static_cast<size_t>(runs), Status::ok());
  if (team == 1) {
    for (int64_t k = 0; k < runs; ++k) failed[static_cast<size_t>(k)] = run_one(k, profile ? &profiles[0] : nullptr);
  } else {
    // Kernels called inside this region run on their calling thread (nested regions get one
    // thread; oneDNN runs sequentially inside a parallel region).
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
    for (int64_t k = 0; k < runs; ++k) {
      failed[static_cast<size_t>(k)] = run_one(k, profile ? &profiles[static_cast<size_t>(omp_get_thread_num())] : nullptr);
    }
  }
  for (const Status& st : failed) {
    if (!st.is_ok()) return st;
  }
  if (profile) {
    for (size_t j = 0; j < graph.nodes.size(); ++j) {
      int64_t sum = 0;
      for (const RunProfile& p : profiles) sum += p.node_ns[j];
      profile->node_ns[j] += sum / team;
    }
  }
  return results;
}

}  // namespace

Session::~Session() = default;

Expected<std::unique_ptr<Session>> Session::create(std::shared_ptr<ir::Model> model, SessionOptions options) {
  if (!model || !model->graph) return invalid_argument("Session::create: no model");
  if (options.threads <= 0) options.threads = physical_cores();
  KILN_TRY(check_supported(*model));
  KILN_TRY(apply_input_shapes(*model->graph, options.input_shapes).with_context(model->path));
  KILN_TRY(infer_types(*model).with_context(model->path));
  if (options.backend == Backend::kCpu && options.optimize) {
    OptimizeOptions opt;
    opt.disabled = options.disabled_passes;
    KILN_TRY(optimize(*model, opt).with_context(model->path));
  }
  std::unique_ptr<Session> s(new Session());
  s->model_ = std::move(model);
  s->impl_ = std::make_unique<Impl>();
  s->impl_->options = options;
  s->impl_->top_graph = s->model_->graph.get();
  s->impl_->prepare_threads = options.threads;
  // A batch split prepares every kernel (and plans the arena) for one sub-batch on one thread:
  // the graph's types are those of the sub-batch until `sub_batch` goes out of scope.
  std::optional<SubBatchTypes> sub_batch;
  if (options.backend == Backend::kCpu && options.batch_split) {
    s->impl_->split = plan_batch_split(*s->model_->graph);
  } else {
    s->impl_->split.reason = options.backend == Backend::kCpu ? "turned off" : "reference backend";
  }
  if (s->impl_->split.batch > 1) {
    sub_batch.emplace(*s->model_->graph);
    KILN_TRY(sub_batch->apply(s->impl_->split.images).with_context(s->model_->path));
    s->impl_->prepare_threads = 1;
  }
  omp_set_num_threads(s->impl_->prepare_threads);
  Status built = s->impl_->build_plans(*s->model_->graph).with_context(s->model_->path);
  omp_set_num_threads(options.threads);
  KILN_TRY(built);
  if (options.backend == Backend::kCpu) {
    const auto& prepared = s->impl_->plans.at(s->model_->graph.get()).prepared;
    const InPlaceFn in_place = [&prepared](const ir::Node& node) {
      const size_t i = static_cast<size_t>(node.index);
      const OpKernel* k = node.index >= 0 && i < prepared.size() ? prepared[i].get() : nullptr;
      return k ? k->in_place_input() : -1;
    };
    // A stored plan is only usable when it was made for the same batch split decision.
    const int64_t runs = s->impl_->split.runs();
    if (options.memory_plan && options.memory_plan->batch_split == runs) {
      s->impl_->memory = *options.memory_plan;
      drop_unsafe_overlaps(s->impl_->memory, *s->model_->graph, in_place);
    } else {
      s->impl_->memory = plan_memory(*s->model_->graph, in_place);
      s->impl_->memory.batch_split = runs;
    }
  }
  return s;
}

const SessionOptions& Session::options() const { return impl_->options; }

std::string Session::kernel_kind(const ir::Node& node) const {
  auto it = impl_->plans.find(&*model_->graph);
  if (it == impl_->plans.end() || node.index < 0 || static_cast<size_t>(node.index) >= it->second.prepared.size()) {
    return "reference";
  }
  return it->second.prepared[static_cast<size_t>(node.index)] ? "cpu" : "reference";
}

Expected<std::vector<Value>> Session::run(const std::vector<NamedValue>& inputs, RunProfile* profile, int threads) const {
  // OpenMP's thread count is per calling thread: set it for this caller (cheap when unchanged).
  const int n = threads > 0 ? threads : impl_->options.threads;
  if (omp_get_max_threads() != n) omp_set_num_threads(n);
  if (profile) profile->node_ns.assign(model_->graph->nodes.size(), 0);
  const ir::Graph& graph = *model_->graph;
  std::vector<std::pair<const ir::Value*, Value>> bound;
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
    bound.emplace_back(decl, nv.value);
  }
  for (const ir::Value* in : graph.inputs) {
    if (!fed.count(in) && !in->constant) {
      if (in->type.kind == ir::TypeInfo::Kind::kOptional) {
        bound.emplace_back(in, Value());
        continue;
      }
      return invalid_argument("input '{}' ({}) was not given", in->name, in->type.str());
    }
  }
  if (impl_->split.batch > 1) return run_in_sub_batches(*impl_, graph, bound, profile, n);
  std::unique_ptr<RunResources> resources = impl_->acquire();
  struct GiveBack {
    const Impl& impl;
    std::unique_ptr<RunResources>& r;
    ~GiveBack() { impl.release(std::move(r)); }
  } give_back{*impl_, resources};
  Frame frame(graph, nullptr, *impl_, resources.get(), &impl_->memory);
  for (auto& [decl, value] : bound) frame.bind(decl, std::move(value));
  KILN_ASSIGN_OR_RETURN(std::vector<Value> results, run_graph(*impl_, frame, profile));
  // Results outlive the run; the arena is reused by the next one.
  for (Value& v : results) {
    if (v.is_tensor() && resources->arena && v.tensor().storage() == resources->arena.get()) v = Value(v.tensor().clone());
  }
  return results;
}

const MemoryPlan& Session::memory_plan() const { return impl_->memory; }

const BatchSplit& Session::batch_split() const { return impl_->split; }

std::vector<std::pair<std::string, std::string>> Session::export_packed() const {
  std::vector<std::pair<std::string, std::string>> blobs;
  auto it = impl_->plans.find(&*model_->graph);
  if (it == impl_->plans.end()) return blobs;
  for (const auto& node : model_->graph->nodes) {
    const OpKernel* k = it->second.prepared[static_cast<size_t>(node->index)].get();
    if (!k) continue;
    std::string blob = k->export_packed();
    if (!blob.empty() && !packed_key(*node).empty()) blobs.emplace_back(packed_key(*node), std::move(blob));
  }
  return blobs;
}

}  // namespace kiln
