#include "runtime/batch_split.h"

#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "passes/infer_types.h"
#include "passes/pass_util.h"

namespace kiln {

namespace {

// Ops that compute image i from image i alone, provided the batch is dim 0 of every computed
// value (checked separately, from the types at N and at 1). Shape-preserving ops with an axis
// (Softmax, LayerNormalization, ...) are listed in axis_keeps_images() instead.
const std::unordered_set<std::string>& image_local_ops() {
  static const std::unordered_set<std::string> kOps = {
      // element-wise, unary
      "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
      "Softplus", "Softsign", "Erf", "Exp", "Log", "Sqrt", "Abs", "Neg", "Reciprocal", "Floor", "Ceil",
      "Round", "Sin", "Cos", "Tan", "Clip", "Cast", "Identity", "Dropout", "Not", "Sign", "Gelu", "Mish",
      "ThresholdedRelu", "Shrink", "IsNaN", "IsInf",
      // element-wise, broadcasting (a constant operand broadcasts the same way to every image)
      "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Where", "Equal", "Less", "Greater",
      "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Mod",
      // per-image NN ops
      "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
      "InstanceNormalization", "LRN", "DepthToSpace", "SpaceToDepth", "Upsample", "Resize",
      // GEMMs: contracting over the batch would change the types at batch 1, which is checked
      "Gemm", "MatMul",
      // data movement: moving data across dim 0 changes dim 0's size, which is checked too
      "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split", "Expand", "Tile",
      "Gather", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2",
      "ArgMax", "ArgMin",
  };
  return kOps;
}

const std::unordered_set<std::string>& kiln_image_local_ops() {
  // Not Aipp: its dynamic parameters may address images by index.
  static const std::unordered_set<std::string> kOps = {
      "FusedConv", "FusedMatMul", "Attention", "PointwiseDepthwise", "Gelu", "Silu", "NhwcMaxPool",
      "NhwcAveragePool", "NhwcGlobalAveragePool", "NhwcGlobalMaxPool", "NhwcConvTranspose", "NhwcResize",
      "NhwcLRN", "NhwcInstanceNormalization", "NhwcBatchNormalization",
  };
  return kOps;
}

int64_t normalized_axis(const ir::Node& node, int64_t fallback) {
  const ir::Value* x = node.inputs.empty() ? nullptr : node.inputs[0];
  int64_t axis = node.attr_int("axis", fallback);
  if (axis < 0 && x && x->type.dims) axis += static_cast<int64_t>(x->type.dims->size());
  return axis;
}

// Shape-preserving ops that mix values along one axis: fine unless that axis is the batch.
// Returns nullopt for ops not of this kind.
std::optional<bool> axis_keeps_images(const ir::Node& node) {
  const std::string& op = node.op_type;
  if (op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") {
    return normalized_axis(node, node.opset >= 13 ? -1 : 1) != 0;
  }
  if (op == "LayerNormalization") return normalized_axis(node, -1) >= 1;
  if (op == "LpNormalization") return normalized_axis(node, -1) != 0;
  if (op == "BatchNormalization") return node.attr_int("training_mode", 0) == 0;
  return std::nullopt;
}

// Slice and Pad keep dim 0's size while they can still move data along it (a reversed or shifted
// slice, pads that add at one end what they cut at the other): allowed only when dim 0 is left
// alone, which needs their parameters as constants.
bool slice_or_pad_keeps_images(const ir::Node& node) {
  auto constant_ints = [&](size_t i) -> std::optional<std::vector<int64_t>> {
    if (!node.has_input(i)) return std::nullopt;
    const Tensor* t = node.inputs[i]->known_value();
    if (!t) return std::nullopt;
    return t->to_int64_vector();
  };
  const ir::Value* x = node.inputs.empty() ? nullptr : node.inputs[0];
  const int64_t rank = x && x->type.dims ? static_cast<int64_t>(x->type.dims->size()) : -1;
  if (rank < 1) return false;
  if (node.op_type == "Slice") {
    if (node.opset < 10) {
      for (int64_t a : node.attr_ints("axes")) {
        if (a == 0 || a + rank == 0) return false;
      }
      return node.has_attr("axes");
    }
    const auto axes = constant_ints(3);
    if (!axes) return false;  // default axes start at 0
    for (int64_t a : *axes) {
      if (a == 0 || a + rank == 0) return false;
    }
    return true;
  }
  // Pad: pads = [x0_begin, x1_begin, ..., x0_end, x1_end, ...] over all axes (or over `axes`).
  std::vector<int64_t> pads = node.opset < 11 ? node.attr_ints("pads") : constant_ints(1).value_or(std::vector<int64_t>{});
  if (node.opset >= 18 && node.has_input(3)) return false;  // explicit axes: keep it simple
  if (pads.size() != static_cast<size_t>(2 * rank)) return false;
  return pads[0] == 0 && pads[static_cast<size_t>(rank)] == 0;
}

std::string node_ok(const ir::Node& node) {
  for (const auto& [key, attr] : node.attrs) {
    if (attr.g || !attr.graphs.empty()) return node.label() + " has a subgraph";
  }
  bool ok = false;
  if (node.domain == "kiln") {
    ok = kiln_image_local_ops().count(node.op_type) != 0;
  } else if (node.domain.empty() || node.domain == "ai.onnx") {
    if (auto keeps = axis_keeps_images(node)) {
      if (!*keeps) return node.label() + " works along the batch axis";
      ok = true;
    } else if (node.op_type == "Slice" || node.op_type == "Pad") {
      if (!slice_or_pad_keeps_images(node)) return node.label() + " may move data along the batch axis";
      ok = true;
    } else {
      ok = image_local_ops().count(node.op_type) != 0;
    }
  }
  return ok ? std::string() : node.label() + " is not known to keep images apart";
}

int64_t numel_of(const ir::TypeInfo& t) {
  int64_t n = 1;
  for (const ir::Dim& d : *t.dims) n *= d.value;
  return n;
}

// Multiply-accumulates of one image in the node, for the ops that hold the FLOPs (0 for others).
double macs_per_image(const ir::Node& node, int64_t batch) {
  const std::string& op = node.op_type;
  const bool conv = op == "Conv" || op == "FusedConv";
  const bool deconv = op == "ConvTranspose" || op == "NhwcConvTranspose";
  const bool gemm = op == "Gemm" || op == "MatMul" || op == "FusedMatMul";
  if ((!conv && !deconv && !gemm) || node.inputs.size() < 2 || !node.inputs[0] || !node.inputs[1]) return 0;
  const ir::Value* x = node.inputs[0];
  const ir::Value* w = node.inputs[1];
  const ir::Value* y = node.outputs.empty() ? nullptr : node.outputs[0];
  if (!y || !y->type.fully_known() || !x->type.fully_known() || !w->type.fully_known()) return 0;
  const double y_img = static_cast<double>(numel_of(y->type)) / static_cast<double>(batch);
  const auto& wd = *w->type.dims;
  if (conv && !wd.empty() && wd[0].value > 0) return y_img / static_cast<double>(wd[0].value) * numel_of(w->type);
  if (deconv && !wd.empty() && wd[0].value > 0) {
    const double x_img = static_cast<double>(numel_of(x->type)) / static_cast<double>(batch);
    return x_img / static_cast<double>(wd[0].value) * numel_of(w->type);
  }
  // Y = A x B: every output element sums K products (K: A's last dim, or its first with transA).
  const auto& xd = *x->type.dims;
  if (xd.empty()) return 0;
  const int64_t k = op == "Gemm" && node.attr_int("transA", 0) != 0 ? xd.front().value : xd.back().value;
  return y_img * static_cast<double>(k);
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && a.dtype() != DType::kString &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// A Reshape to a constant shape that spells out the batch ([N, C, 1, 1], as exporters and our
// layout pass write them) gets 0 there instead ("copy the input's dim 0"): the same result at N,
// and the right one for a single image. Returns whether the graph changed.
bool copy_batch_in_reshapes(ir::Graph& graph, int64_t batch) {
  bool changed = false;
  for (const auto& node : graph.nodes) {
    if (node->op_type != "Reshape" || !node->domain.empty() || node->attr_int("allowzero", 0) != 0 ||
        !node->has_input(1) || !node->inputs[1]->constant) {
      continue;
    }
    const ir::Value* x = node->inputs[0];
    const Tensor& shape = *node->inputs[1]->constant;
    if (!x || !x->type.fully_known() || x->type.dims->empty() || (*x->type.dims)[0].value != batch ||
        shape.rank() != 1 || shape.numel() == 0 || shape.as_int64(0) != batch) {
      continue;
    }
    std::vector<int64_t> dims = shape.to_int64_vector();
    dims[0] = 0;
    Tensor copy_batch = Tensor::from_vector<int64_t>(dims, {static_cast<int64_t>(dims.size())});
    node->inputs[1] = passes::add_constant(graph, node->inputs[1]->name + "_batch_copied", std::move(copy_batch));
    changed = true;
  }
  return changed;
}

}  // namespace

SubBatchTypes::SubBatchTypes(ir::Graph& graph) : graph_(graph) {
  for (const auto& v : graph.values()) saved_.push_back({v.get(), v->type, v->inferred_constant});
}

SubBatchTypes::~SubBatchTypes() {
  for (Saved& s : saved_) {
    s.value->type = std::move(s.type);
    s.value->inferred_constant = std::move(s.inferred_constant);
  }
}

Status SubBatchTypes::apply(int64_t images) {
  // Computed values are re-inferred from scratch (their declared N must not win the merge).
  std::unordered_set<const ir::Value*> inputs(graph_.inputs.begin(), graph_.inputs.end());
  for (const auto& v : graph_.values()) {
    if (v->constant || v->is_outer_ref) continue;
    if (inputs.count(v.get())) {
      if (v->type.dims && !v->type.dims->empty()) (*v->type.dims)[0] = ir::Dim(images);
    } else if (v->producer) {
      // Field by field: assigning a fresh TypeInfo trips GCC 12's maybe-uninitialized at -O1
      // under the sanitizers (a false positive on the optional's moved-from vector).
      v->type.kind = ir::TypeInfo::Kind::kUnknown;
      v->type.elem = DType::kUndefined;
      v->type.dims.reset();
      v->type.inner.reset();
      v->inferred_constant.reset();
    }
  }
  return infer_graph_types(graph_);
}

BatchSplit plan_batch_split(ir::Graph& graph) {
  auto no = [](std::string why) { return BatchSplit{0, 1, std::move(why)}; };
  if (graph.inputs.empty()) return no("the model has no inputs");
  int64_t batch = -1;
  auto batched = [&batch](const ir::Value& v) {
    // Strings are not plain bytes: image slices could not be viewed and copied.
    if (!v.type.is_tensor() || !v.type.fully_known() || v.type.dims->empty() || v.type.elem == DType::kString) return false;
    if (batch < 0) batch = (*v.type.dims)[0].value;
    return (*v.type.dims)[0].value == batch;
  };
  for (const ir::Value* in : graph.inputs) {
    if (!in->constant && !batched(*in)) return no("input '" + in->name + "' is not a static tensor batched like the first");
  }
  for (const ir::Value* out : graph.outputs) {
    if (!batched(*out)) return no("output '" + out->name + "' is not a static tensor batched like the inputs");
  }
  if (batch < 2) return no("the batch is " + std::to_string(batch));
  double macs = 0;
  for (const auto& node : graph.nodes) {
    if (std::string why = node_ok(*node); !why.empty()) return no(why);
    macs += macs_per_image(*node, batch);
  }
  double weight_bytes = 0;
  for (const auto& v : graph.values()) {
    if (v->constant && !v->consumers.empty()) weight_bytes += static_cast<double>(v->constant->nbytes());
  }
  if (2 * macs < kMinFlopsPerWeightByte * weight_bytes) {
    return no("per image the model does " + std::to_string(2 * macs / std::max(1.0, weight_bytes)).substr(0, 5) +
              " FLOPs per weight byte: the batch's GEMMs reuse the weights better");
  }

  if (copy_batch_in_reshapes(graph, batch)) {
    if (Status st = graph.finalize(); !st.is_ok()) return no("re-linking after the Reshape edit failed: " + st.message());
  }
  // The computed values' types at N, then at 1: only dim 0 may differ, from N to 1.
  std::vector<std::pair<const ir::Value*, ir::TypeInfo>> at_n;
  std::vector<std::pair<const ir::Value*, std::optional<Tensor>>> known_at_n;
  for (const auto& v : graph.values()) {
    if (v->constant || v->is_outer_ref) continue;
    if (v->inferred_constant) {
      known_at_n.emplace_back(v.get(), v->inferred_constant);
    } else if (!batched(*v)) {
      return no("value '" + v->name + "' (" + v->type.str() + ") does not carry the batch in dim 0");
    }
    at_n.emplace_back(v.get(), v->type);
  }
  SubBatchTypes one(graph);
  if (Status st = one.apply(1); !st.is_ok()) return no("inference at batch 1 fails: " + st.message());
  for (const auto& [v, inferred] : known_at_n) {
    if (!v->inferred_constant || !same_bytes(*inferred, *v->inferred_constant)) {
      return no("value '" + v->name + "' is a constant that depends on the batch size");
    }
  }
  for (const auto& [v, type_n] : at_n) {
    if (v->inferred_constant) continue;
    const ir::TypeInfo& t1 = v->type;
    bool same = t1.is_tensor() && t1.elem == type_n.elem && t1.fully_known() && t1.dims->size() == type_n.dims->size() &&
                (*t1.dims)[0].value == 1;
    for (size_t d = 1; same && d < t1.dims->size(); ++d) same = (*t1.dims)[d].value == (*type_n.dims)[d].value;
    if (!same) return no("value '" + v->name + "' is " + type_n.str() + " at batch " + std::to_string(batch) + " but " + t1.str() + " at batch 1");
  }
  BatchSplit split{batch, default_split_images(batch), {}};
  if (const char* env = std::getenv("KILN_SPLIT_IMAGES")) {
    const int64_t g = std::atoll(env);
    if (g >= 1 && batch % g == 0) split.images = g;
  }
  return split;
}

}  // namespace kiln
