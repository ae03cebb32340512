// layout_channels_last: run the spatial part of a CNN channels-last ([N, H, W, C]).
//
// oneDNN's fastest convolutions on this CPU read and write NHWC (brgconv), and element-wise ops
// do not care about layout, so converting once at the network's edge and keeping every tensor
// between convolutions NHWC removes all per-layer reorders. The pass:
//   - turns each rank-4 anchor (kiln.FusedConv, pools, ConvTranspose, Resize, LRN, Instance/
//     BatchNormalization) into its channels-last form (FusedConv channels_last=1, kiln.Nhwc<Op>);
//   - converts a layout-agnostic op (unary math, binary math with constant or channels-last
//     operands, Concat on the channel axis) when all its rank-4 activations are channels-last
//     already; constant operands are broadcast to rank 4 and permuted once;
//   - inserts Transpose NCHW->NHWC where an anchor reads an NCHW tensor and NHWC->NCHW where an
//     unconverted consumer (or a graph output) needs the original value, which keeps its name.
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "ops/kiln/kiln_ops.h"
#include "passes/passes.h"

namespace kiln {

namespace {

constexpr std::string_view kUnaryAgnostic[] = {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish",
                                               "Clip", "Elu", "Selu", "Erf", "Exp", "Abs", "Neg", "Sqrt",
                                               "Identity", "Softplus", "Floor", "Ceil", "Round", "Reciprocal"};
constexpr std::string_view kBinaryAgnostic[] = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum"};

template <size_t N>
bool contains(const std::string_view (&list)[N], const std::string& op) {
  for (std::string_view s : list) {
    if (s == op) return true;
  }
  return false;
}

bool rank4(const ir::Value* v) { return v && v->type.rank() == 4; }

ir::TypeInfo channels_last_type(const ir::TypeInfo& t) {
  ir::TypeInfo out = t;
  if (out.dims) out.dims = to_channels_last(*out.dims);
  return out;
}

// A constant broadcast against a rank-4 NCHW tensor, as the same broadcast against NHWC:
// right-align to rank 4 with leading 1s, then permute [0, 2, 3, 1]. nullopt for rank > 4.
std::optional<Tensor> permute_constant(const Tensor& c) {
  if (c.rank() > 4) return std::nullopt;
  Shape s(4 - static_cast<size_t>(c.rank()), 1);
  s.insert(s.end(), c.shape().begin(), c.shape().end());
  const int64_t n = s[0], ch = s[1], h = s[2], w = s[3];
  Tensor out(c.dtype(), {n, h, w, ch});
  if (c.dtype() == DType::kString) return std::nullopt;
  const size_t es = dtype_size(c.dtype());
  const auto* src = static_cast<const unsigned char*>(c.raw());
  auto* dst = static_cast<unsigned char*>(out.raw());
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ic = 0; ic < ch; ++ic)
      for (int64_t ih = 0; ih < h; ++ih)
        for (int64_t iw = 0; iw < w; ++iw) {
          const int64_t from = ((in * ch + ic) * h + ih) * w + iw;
          const int64_t to = ((in * h + ih) * w + iw) * ch + ic;
          std::memcpy(dst + to * es, src + from * es, es);
        }
  return out;
}

class LayoutPass {
 public:
  explicit LayoutPass(ir::Graph& graph) : graph_(graph) {}

  bool run() {
    std::vector<ir::Node*> order;
    for (auto& n : graph_.nodes) order.push_back(n.get());
    for (ir::Node* node : order) {
      if (convert_anchor(*node) || convert_agnostic(*node)) changed_ = true;
    }
    if (changed_) restore_nchw_values();
    return changed_;
  }

 private:
  // The channels-last twin of `v`, inserting a Transpose when there is none yet.
  ir::Value* to_nhwc(ir::Value* v) {
    if (auto it = nhwc_.find(v); it != nhwc_.end()) return it->second;
    ir::Value* t = graph_.new_value(v->name + "_nhwc");
    t->type = channels_last_type(v->type);
    ir::Node* tr = graph_.add_node("Transpose", "", 13, {v}, {t}, t->name);
    tr->attrs["perm"].kind = ir::Attribute::Kind::kInts;
    tr->attrs["perm"].ints = to_channels_last_perm(4);
    nhwc_[v] = t;
    return t;
  }

  // Output 0 of `node` now holds the channels-last twin of the original value.
  void retarget_output(ir::Node& node) {
    ir::Value* y = node.outputs[0];
    ir::Value* t = graph_.new_value(y->name + "_nhwc");
    t->type = channels_last_type(y->type);
    node.outputs[0] = t;
    nhwc_[y] = t;
    produced_nhwc_.push_back(y);
  }

  bool convert_anchor(ir::Node& node) {
    if (!rank4(node.inputs.empty() ? nullptr : node.inputs[0])) return false;
    if (node.domain == "kiln" && node.op_type == "FusedConv") {
      if (node.attr_int("channels_last", 0) != 0) return false;
      node.attrs["channels_last"].kind = ir::Attribute::Kind::kInt;
      node.attrs["channels_last"].i = 1;
      node.inputs[0] = to_nhwc(node.inputs[0]);
      if (node.has_input(3)) node.inputs[3] = to_nhwc(node.inputs[3]);
      retarget_output(node);
      return true;
    }
    if (!node.domain.empty()) return false;
    bool listed = false;
    for (std::string_view op : kChannelsLastOps) listed |= op == node.op_type;
    if (!listed) return false;
    // Only output 0 is channels-last in the wrapper: decline ops whose other outputs are used.
    for (size_t i = 1; i < node.outputs.size(); ++i) {
      if (node.outputs[i]) return false;
    }
    if (node.op_type == "Resize" && node.opset < 11) return false;
    node.op_type = "Nhwc" + node.op_type;
    node.domain = "kiln";
    node.inputs[0] = to_nhwc(node.inputs[0]);
    retarget_output(node);
    return true;
  }

  bool convert_agnostic(ir::Node& node) {
    if (node.outputs.size() != 1 || !node.outputs[0] || !rank4(node.outputs[0])) return false;
    const bool kiln_unary = node.domain == "kiln" && (node.op_type == "Silu" || node.op_type == "Gelu");
    const bool onnx = node.domain.empty();
    if (kiln_unary || (onnx && contains(kUnaryAgnostic, node.op_type))) {
      if (!nhwc_.count(node.inputs[0])) return false;
      for (size_t i = 1; i < node.inputs.size(); ++i) {  // Clip bounds: scalars only
        if (node.inputs[i] && (!node.inputs[i]->known_value() || node.inputs[i]->known_value()->numel() != 1)) return false;
      }
      node.inputs[0] = nhwc_[node.inputs[0]];
      retarget_output(node);
      return true;
    }
    if (onnx && contains(kBinaryAgnostic, node.op_type)) return convert_broadcasting(node);
    if (onnx && node.op_type == "Concat") {
      int64_t axis = node.attr_int("axis", 1);
      if (axis < 0) axis += 4;
      if (axis != 1) return false;
      for (ir::Value* in : node.inputs) {
        if (!in || !nhwc_.count(in)) return false;
      }
      for (ir::Value*& in : node.inputs) in = nhwc_[in];
      node.attrs["axis"].kind = ir::Attribute::Kind::kInt;
      node.attrs["axis"].i = 3;
      retarget_output(node);
      return true;
    }
    return false;
  }

  // Add/Mul/...: every rank-4 activation operand must be channels-last already; constants are
  // permuted; scalars stay.
  bool convert_broadcasting(ir::Node& node) {
    bool any_nhwc = false;
    std::vector<ir::Value*> replaced = node.inputs;
    for (ir::Value*& in : replaced) {
      if (!in) return false;
      if (const Tensor* c = in->known_value()) {
        if (c->numel() == 1 && c->rank() <= 4) continue;
        auto permuted = permute_constant(*c);
        if (!permuted) return false;
        ir::Value* pv = graph_.new_value(in->name + "_nhwc");
        pv->constant = std::move(*permuted);
        pv->type = ir::TypeInfo::tensor_of(pv->constant->dtype(), pv->constant->shape());
        in = pv;
        continue;
      }
      auto it = nhwc_.find(in);
      if (it == nhwc_.end()) return false;
      in = it->second;
      any_nhwc = true;
    }
    if (!any_nhwc) return false;
    node.inputs = replaced;
    retarget_output(node);
    return true;
  }

  // Values that unconverted consumers or graph outputs still read in NCHW get a Transpose back.
  void restore_nchw_values() {
    std::unordered_set<const ir::Value*> needed(graph_.outputs.begin(), graph_.outputs.end());
    for (const auto& n : graph_.nodes) {
      for (const ir::Value* in : n->inputs) needed.insert(in);
      for (const ir::Value* in : n->implicit_inputs) needed.insert(in);
    }
    for (ir::Value* y : produced_nhwc_) {
      if (!needed.count(y)) continue;
      ir::Node* tr = graph_.add_node("Transpose", "", 13, {nhwc_[y]}, {y}, y->name + "_nchw");
      tr->attrs["perm"].kind = ir::Attribute::Kind::kInts;
      tr->attrs["perm"].ints = to_channels_first_perm(4);
    }
  }

  ir::Graph& graph_;
  std::unordered_map<ir::Value*, ir::Value*> nhwc_;
  std::vector<ir::Value*> produced_nhwc_;
  bool changed_ = false;
};

}  // namespace

Expected<bool> layout_channels_last(ir::Graph& graph) { return LayoutPass(graph).run(); }

}  // namespace kiln
