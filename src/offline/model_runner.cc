#include "offline/model_runner.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/cpu_features.h"
#include "offline/gears.h"

namespace kiln::offline {

namespace {

int64_t product(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

std::string dims_str(const std::vector<int64_t>& dims) { return "[" + gear_str(dims) + "]"; }

// Runs in flight in the process, to share the cores between them.
std::atomic<int> g_running{0};

}  // namespace

Expected<std::unique_ptr<ModelRunner>> ModelRunner::create(OfflineModel om, int threads) {
  std::unique_ptr<ModelRunner> r(new ModelRunner());
  r->threads_ = threads > 0 ? threads : physical_cores();
  SessionOptions options;
  options.threads = r->threads_;
  KILN_ASSIGN_OR_RETURN(r->session_, create_session(om, options));
  r->om_ = std::move(om);
  if (has_gears(r->om_.meta.gears)) r->default_gear_ = static_cast<int>(largest_gear(r->om_.meta.gears));
  KILN_TRY(r->make_plans());
  return r;
}

Status ModelRunner::make_plans() {
  const Metadata& meta = om_.meta;
  const ir::Graph& graph = *session_->model().graph;
  const size_t count = has_gears(meta.gears) ? meta.gears.values.size() : 1;
  plans_.resize(count);
  for (size_t g = 0; g < count; ++g) {
    GearPlan& plan = plans_[g];
    std::map<std::string, Shape> gear_shapes;
    if (has_gears(meta.gears)) {
      KILN_ASSIGN_OR_RETURN(gear_shapes, gear_input_shapes(meta, graph, g));
    }
    for (const TensorDesc& d : meta.inputs) {
      Shape shape;
      if (d.role != TensorDesc::Role::kDynamicGear) {
        const ir::Value* v = graph.find(d.graph_name);
        if (!v || !v->type.dims) return invalid_model("model input '{}' has no graph input '{}' with known rank", d.name, d.graph_name);
        for (const ir::Dim& dim : *v->type.dims) shape.push_back(dim.known() ? dim.value : -1);
        if (auto it = gear_shapes.find(d.graph_name); it != gear_shapes.end()) shape = it->second;
        // A dynamic-AIPP parameter block follows the batch gear: 64 + 96 * batch bytes.
        if (d.role == TensorDesc::Role::kDynamicAipp && shape.size() == 1 && shape[0] < 0 &&
            meta.gears.kind == GearKind::kBatch) {
          shape[0] = static_cast<int64_t>(aipp::dynamic_block_bytes(meta.gears.values[g][0]));
        }
        if (product(shape) < 0 && plan.status.is_ok()) {
          plan.status = unsupported("input {} ('{}') has dims {} that no gear fixes; Kiln cannot tell its shape from a buffer",
                                    &d - meta.inputs.data(), d.name, dims_str(shape));
        }
      }
      plan.inputs.push_back(std::move(shape));
    }
  }
  return Status::ok();
}

int ModelRunner::gear_or_default(int gear) const {
  return gear >= 0 && static_cast<size_t>(gear) < om_.meta.gears.values.size() ? gear : default_gear_;
}

const ModelRunner::GearPlan& ModelRunner::plan(int gear) const {
  return plans_[static_cast<size_t>(std::max(gear_or_default(gear), 0))];
}

Expected<Shape> ModelRunner::input_shape(size_t i, int gear) const {
  if (i >= om_.meta.inputs.size()) return invalid_argument("input index {} is out of range (the model has {} inputs)", i, om_.meta.inputs.size());
  const Shape& s = plan(gear).inputs[i];
  if (product(s) < 0) return unsupported("input {} ('{}') has unknown dims {}", i, om_.meta.inputs[i].name, dims_str(s));
  return s;
}

Expected<size_t> ModelRunner::input_bytes(size_t i, int gear) const {
  KILN_ASSIGN_OR_RETURN(Shape s, input_shape(i, gear));
  if (om_.meta.inputs[i].role == TensorDesc::Role::kDynamicGear) return size_t{0};
  return static_cast<size_t>(product(s)) * dtype_size(om_.meta.inputs[i].dtype);
}

std::vector<int64_t> ModelRunner::output_dims(size_t o, int gear) const {
  return output_dims_at(om_.meta, o, gear_or_default(gear));
}

size_t ModelRunner::output_bytes(size_t o, int gear) const {
  if (o >= om_.meta.outputs.size()) return 0;
  const int64_t n = product(output_dims(o, gear));
  return n < 0 ? 0 : static_cast<size_t>(n) * dtype_size(om_.meta.outputs[o].dtype);
}

Status ModelRunner::check(const std::vector<InBuffer>& inputs, const std::vector<OutBuffer>& outputs, int gear) const {
  const Metadata& meta = om_.meta;
  if (inputs.size() != meta.inputs.size()) {
    return invalid_argument("{} input buffers given, the model has {} inputs", inputs.size(), meta.inputs.size());
  }
  if (outputs.size() != meta.outputs.size()) {
    return invalid_argument("{} output buffers given, the model has {} outputs", outputs.size(), meta.outputs.size());
  }
  gear = gear_or_default(gear);
  const GearPlan& p = plan(gear);
  KILN_TRY(p.status);
  // Formatted only for a message: check() runs on every execution.
  auto at = [&] {
    return gear >= 0 ? fmt::format(" at gear [{}]", gear_str(meta.gears.values[static_cast<size_t>(gear)])) : std::string();
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].data) return invalid_argument("input buffer {} ('{}') has no data (NULL)", i, meta.inputs[i].name);
    KILN_ASSIGN_OR_RETURN(size_t need, input_bytes(i, gear));
    if (inputs[i].size < need) {
      return invalid_argument("input buffer {} ('{}') holds {} bytes; {} {} needs {}{}", i, meta.inputs[i].name, inputs[i].size,
                              dtype_name(meta.inputs[i].dtype), dims_str(p.inputs[i]), need, at());
    }
  }
  for (size_t o = 0; o < outputs.size(); ++o) {
    if (!outputs[o].data) return invalid_argument("output buffer {} ('{}') has no data (NULL)", o, meta.outputs[o].name);
    const size_t need = output_bytes(o, gear);
    if (outputs[o].size < need) {
      return invalid_argument("output buffer {} ('{}') holds {} bytes; {} {} needs {}{}", o, meta.outputs[o].name,
                              outputs[o].size, dtype_name(meta.outputs[o].dtype), dims_str(output_dims(o, gear)), need, at());
    }
  }
  return Status::ok();
}

Status ModelRunner::run(const std::vector<InBuffer>& inputs, const std::vector<OutBuffer>& outputs, int gear) const {
  KILN_TRY(check(inputs, outputs, gear));
  const Metadata& meta = om_.meta;
  const ir::Graph& graph = *session_->model().graph;
  const GearPlan& p = plan(gear);
  std::vector<NamedValue> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorDesc& d = meta.inputs[i];
    if (d.role == TensorDesc::Role::kDynamicGear) continue;
    const ir::Value* v = graph.find(d.graph_name);
    // Zero-copy: the session only reads its inputs.
    feeds.push_back({d.graph_name, Value(Tensor::wrap(v->type.elem, p.inputs[i], const_cast<void*>(inputs[i].data), nullptr))});
  }
  struct Running {
    std::atomic<int>& n;
    const int now;
    explicit Running(std::atomic<int>& c) : n(c), now(++c) {}
    ~Running() { --n; }
  } running(g_running);
  const int threads = std::max(1, threads_ / std::max(1, running.now));
  KILN_ASSIGN_OR_RETURN(std::vector<Value> results, session_->run(feeds, nullptr, threads));
  if (results.size() != outputs.size()) {
    return internal_error("the model produced {} outputs, its interface lists {}", results.size(), outputs.size());
  }
  for (size_t o = 0; o < results.size(); ++o) {
    if (!results[o].is_tensor()) return internal_error("output {} ('{}') is not a tensor", o, meta.outputs[o].name);
    const Tensor& t = results[o].tensor();
    if (t.nbytes() > outputs[o].size) {
      return invalid_argument("output buffer {} ('{}') holds {} bytes; the result {} needs {}", o, meta.outputs[o].name,
                              outputs[o].size, dims_str(t.shape()), t.nbytes());
    }
    if (t.nbytes() > 0) std::memcpy(outputs[o].data, t.raw(), t.nbytes());
  }
  return Status::ok();
}

}  // namespace kiln::offline
