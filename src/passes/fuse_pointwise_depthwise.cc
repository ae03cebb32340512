// fuse_pointwise_depthwise: a channels-last 1x1 kiln.FusedConv (the expand of a MobileNet
// inverted-residual block) whose only consumer is a 3x3 depthwise kiln.FusedConv becomes one
// kiln.PointwiseDepthwise (ops/kiln/kiln_ops.h) when the expanded tensor is too big for the cache:
// as two nodes it is written to memory and read back; as one, the CPU kernel expands three rows
// at a time into a ring that stays in L2 (backends/cpu/pointwise_depthwise/pointwise_depthwise.h).
//
// Only configurations that kernel takes are fused: constant weights and biases, C a multiple of 8,
// a depthwise of stride 1 or 2 and dilation 1, no sum input Z on either convolution. Of the
// activations it takes, only none, Relu and Clip (without activation_affine) are fused: the kernel
// compiles those into its stores, the others go through a per-vector switch, and PP-OCRv4 det's
// three matching blocks (HardSwish + affine) measured slower fused: 5.2-6.8 against 4.4-5.4 ms on
// 2 threads (node sums of the blocks, alternating profiles).
#include "ops/kiln/activation.h"
#include "ops/kiln/kiln_ops.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

// Expanded tensors (one image) at least this big are fused: about the L2 of one core here. In
// benchmarks/pointwise_depthwise_bench (8 MB written between runs, as the rest of a network does)
// the fused node took 0.50 / 0.84 / 0.76 of the two nodes' time on 1 thread for MobileNetV2's
// 4.8 MB (features.2) and 1.8 MB (features.3 / 4) tensors, and 1.03-1.07 for features.5's 0.6 MB.
constexpr int64_t kMinExpandedBytes = int64_t{1} << 20;

// A channels-last kiln.FusedConv with constant float32 weights of `w_shape` (-1: any) and a constant
// bias, no Z unless allow_z, and no activation, Relu or Clip.
const Tensor* fused_conv_weights(const ir::Node* n, std::initializer_list<int64_t> w_shape, bool allow_z = false) {
  if (!n || n->domain != kKilnDomain || n->op_type != "FusedConv" || n->outputs.size() != 1) return nullptr;
  if (n->attr_int("channels_last", 0) != 1 || (n->has_input(3) && !allow_z) || !n->has_input(2)) return nullptr;
  const Tensor* w = passes::known(n->inputs[1]);
  const Tensor* b = passes::known(n->inputs[2]);
  if (!w || !b || w->dtype() != DType::kFloat32 || b->dtype() != DType::kFloat32 || w->rank() != 4) return nullptr;
  size_t i = 0;
  for (int64_t d : w_shape) {
    if (d >= 0 && w->dim(i) != d) return nullptr;
    ++i;
  }
  if (b->rank() != 1 || b->numel() != w->dim(0)) return nullptr;
  auto act = Activation::from_node(*n);
  return act && act->is_clamp() ? w : nullptr;
}

bool ints_are(const ir::Node& n, const char* key, std::vector<int64_t> fallback, std::vector<int64_t> want) {
  return n.attr_ints(key, std::move(fallback)) == want;
}

// A channels-last 1x1 kiln.FusedConv (stride 1, no pads, group 1) with constant weights and bias,
// reading `in_channels` channels (-1: any), with a sum input Z only when allow_z.
bool is_pointwise(const ir::Node* n, int64_t in_channels, bool allow_z) {
  const Tensor* w = fused_conv_weights(n, {-1, in_channels, 1, 1}, allow_z);
  return w && n->attr_int("group", 1) == 1 && ints_are(*n, "strides", {1, 1}, {1, 1}) &&
         ints_are(*n, "dilations", {1, 1}, {1, 1}) && ints_are(*n, "pads", {0, 0, 0, 0}, {0, 0, 0, 0}) &&
         n->attr_string("auto_pad", "NOTSET") == "NOTSET";
}

// The block's project: a 1x1 FusedConv (Z allowed) reading the c channels of the depthwise result
// d as X only, and d's only consumer; nullptr when there is none.
ir::Node* sole_project(const passes::Rewrite& rw, ir::Value* d, int64_t c) {
  if (!passes::sole_use(rw.graph, d) || d->consumers.empty()) return nullptr;
  ir::Node* pj = d->consumers.front();
  if (rw.dead(pj) || !is_pointwise(pj, c, /*allow_z=*/true) || pj->inputs[0] != d ||
      (pj->has_input(3) && pj->inputs[3] == d)) {
    return nullptr;
  }
  return pj;
}

}  // namespace

Expected<bool> fuse_pointwise_depthwise(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& dw, passes::Rewrite& rw) -> Expected<bool> {
    if (rw.dead(&dw)) return false;
    const Tensor* wd = fused_conv_weights(&dw, {-1, 1, 3, 3});
    if (!wd) return false;
    const int64_t c = wd->dim(0);
    if (c % 8 != 0 || dw.attr_int("group", 1) != c || !ints_are(dw, "dilations", {1, 1}, {1, 1})) return false;
    const auto strides = dw.attr_ints("strides", {1, 1});
    if (strides.size() != 2 || strides[0] != strides[1] || (strides[0] != 1 && strides[0] != 2)) return false;

    ir::Value* t = dw.inputs[0];
    // The depthwise input of one image, [N, H, W, C] with H, W and C known.
    if (!t || !t->type.dims || t->type.dims->size() != 4) return false;
    int64_t bytes = 4;
    for (size_t i = 1; i < 4; ++i) {
      const ir::Dim& d = (*t->type.dims)[i];
      if (!d.known()) return false;
      bytes *= d.value;
    }
    if (bytes < kMinExpandedBytes) return false;
    ir::Node* pw = t->producer;
    const bool expand = !rw.dead(pw) && passes::sole_use(rw.graph, t) && is_pointwise(pw, -1, /*allow_z=*/false) &&
                        passes::known(pw->inputs[1])->dim(0) == c;
    if (!expand) {
      // A block without expand (MobileNetV2 features.1): fused only for the project that
      // fuse_pointwise_depthwise_project adds next, so the depthwise result stays in a row buffer.
      if (!sole_project(rw, dw.outputs[0], c)) return false;
    }

    ir::Node* fused = rw.graph.add_node(
        "PointwiseDepthwise", std::string(kKilnDomain), 1,
        {expand ? pw->inputs[0] : t, expand ? pw->inputs[1] : nullptr, expand ? pw->inputs[2] : nullptr,
         dw.inputs[1], dw.inputs[2]},
        {dw.outputs[0]}, dw.name);
    for (const char* key : {"strides", "pads", "dilations", "group", "kernel_shape", "auto_pad", "activation",
                            "activation_params", "activation_affine"}) {
      if (dw.has_attr(key)) fused->attrs[key] = dw.attrs.at(key);
    }
    if (expand) {
      Activation::from_node(*pw)->write_to(*fused, "pw_");
      rw.remove(pw);
    }
    rw.remove(&dw);
    return true;
  });
}

// The block's project, a 1x1 FusedConv (with or without the residual as Z) that is the only
// consumer of a kiln.PointwiseDepthwise without one, becomes that node's inputs Wq, Bq (and Z):
// the kernel then computes each output row from one depthwise row in its buffer, and the
// depthwise result (MobileNetV2 features.3: 56x56x144, 1.8 MB) is neither written nor read back.
Expected<bool> fuse_pointwise_depthwise_project(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& pwdw, passes::Rewrite& rw) -> Expected<bool> {
    if (rw.dead(&pwdw) || pwdw.domain != kKilnDomain || pwdw.op_type != "PointwiseDepthwise" || pwdw.has_input(5) ||
        pwdw.inputs.size() != 5 || pwdw.outputs.size() != 1) {
      return false;
    }
    const Tensor* wd = passes::known(pwdw.inputs[3]);
    ir::Node* pj = wd ? sole_project(rw, pwdw.outputs[0], wd->dim(0)) : nullptr;
    if (!pj) return false;
    std::vector<ir::Value*> inputs = pwdw.inputs;
    inputs.insert(inputs.end(), {pj->inputs[1], pj->inputs[2]});
    if (pj->has_input(3)) inputs.push_back(pj->inputs[3]);
    ir::Node* fused = rw.graph.add_node("PointwiseDepthwise", std::string(kKilnDomain), 1, inputs, {pj->outputs[0]},
                                        pwdw.name);
    fused->attrs = pwdw.attrs;
    Activation::from_node(*pj)->write_to(*fused, "pj_");
    rw.remove(pj);
    rw.remove(&pwdw);
    return true;
  });
}

}  // namespace kiln
