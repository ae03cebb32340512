// fuse_batchnorm: an inference BatchNormalization (constant scale, bias, mean, var) after a Conv,
// ConvTranspose, Gemm or MatMul with constant weights is an affine map per output channel, so it
// folds into new weights and bias (computed in double). Likewise a Conv or ConvTranspose followed
// by Mul and/or Add of constant per-channel vectors (PaddlePaddle exports a ConvTranspose's bias as
// such an Add, before its BatchNormalization). Only when the producer's output feeds nothing else.
#include <cmath>

#include "ops/kiln/kiln_ops.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

using passes::known;

// y[c] = x[c] * scale[c] + shift[c] over the producer's output channels.
struct ChannelAffine {
  std::vector<double> scale, shift;
};

std::vector<double> to_doubles(const Tensor& t) {  // t is float32 (checked by the callers)
  const float* p = t.data<float>();
  return std::vector<double>(p, p + t.numel());
}

Tensor to_float(const std::vector<double>& v, Shape shape) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = static_cast<float>(v[i]);
  return t;
}

std::optional<ChannelAffine> batchnorm_affine(const ir::Node& bn, int64_t channels) {
  if (bn.inputs.size() != 5 || bn.attr_int("training_mode", 0) != 0) return std::nullopt;
  for (size_t i = 1; i < bn.outputs.size(); ++i) {
    if (bn.outputs[i] && !bn.outputs[i]->consumers.empty()) return std::nullopt;
  }
  const Tensor* p[4];
  for (size_t i = 0; i < 4; ++i) {
    p[i] = known(bn.inputs[i + 1]);
    if (!p[i] || p[i]->dtype() != DType::kFloat32 || p[i]->numel() != channels) return std::nullopt;
  }
  double eps = bn.attr_float("epsilon", 1e-5f);
  ChannelAffine a;
  for (int64_t c = 0; c < channels; ++c) {
    double s = p[0]->as_double(c) / std::sqrt(p[3]->as_double(c) + eps);
    a.scale.push_back(s);
    a.shift.push_back(p[1]->as_double(c) - p[2]->as_double(c) * s);
  }
  return a;
}

// A constant broadcast against a [N, C, spatial...] output of rank `rank` that varies only along
// C (or is a single value): its C values.
std::optional<std::vector<double>> per_channel(const ir::Value* v, int64_t channels, int64_t rank) {
  const Tensor* t = known(v);
  if (!t || t->dtype() != DType::kFloat32 || t->rank() > rank) return std::nullopt;
  if (t->numel() == 1) return std::vector<double>(static_cast<size_t>(channels), t->as_double(0));
  int64_t axis = 1 - (rank - t->rank());  // where output axis 1 lands in t's dims
  if (axis < 0 || t->dim(axis) != channels || t->numel() != channels) return std::nullopt;
  return to_doubles(*t);
}

// Output channel count of a producer the affine map can fold into, 0 when it cannot.
int64_t output_channels(const ir::Node& p) {
  if (!p.domain.empty() || !p.has_input(1) || !p.has_output(0)) return 0;
  const Tensor* w = known(p.inputs[1]);
  if (!w || w->dtype() != DType::kFloat32 || w->rank() < 2) return 0;
  if (p.has_input(2)) {
    const Tensor* b = known(p.inputs[2]);
    if (!b || b->dtype() != DType::kFloat32) return 0;
  }
  if (p.op_type == "Conv") return w->dim(0);
  if (p.op_type == "ConvTranspose") return w->dim(1) * p.attr_int("group", 1);
  if (p.op_type == "Gemm") {
    // Output [M, N]; BN's channel axis 1 is N. Bias must be absent or exactly [N] / [1, N].
    if (w->rank() != 2) return 0;
    int64_t n = p.attr_int("transB", 0) ? w->dim(0) : w->dim(1);
    if (p.has_input(2)) {
      const Tensor* c = known(p.inputs[2]);
      if (c->numel() != n || c->dim(c->rank() - 1) != n) return 0;
    }
    return n;
  }
  if (p.op_type == "MatMul") {
    // Channel axis 1 is the last axis only for a 2-D output.
    if (w->rank() != 2 || p.inputs[0]->type.rank() != 2) return 0;
    return w->dim(1);
  }
  return 0;
}

// Rewrites producer p to compute affine(p(x)) and write `out`.
void fold_into(ir::Graph& g, passes::Rewrite& rw, ir::Node& p, const ChannelAffine& a, ir::Value* out) {
  const Tensor& w = *known(p.inputs[1]);
  int64_t channels = static_cast<int64_t>(a.scale.size());
  std::vector<double> wd = to_doubles(w);
  std::vector<double> bias(static_cast<size_t>(channels), 0.0);
  if (p.has_input(2)) {
    std::vector<double> b = to_doubles(*known(p.inputs[2]));
    double beta = p.op_type == "Gemm" ? p.attr_float("beta", 1.0f) : 1.0;
    for (int64_t c = 0; c < channels; ++c) bias[static_cast<size_t>(c)] = beta * b[static_cast<size_t>(c)];
  }
  // Scale each weight by its output channel's factor (plain loops: weights can be millions).
  const int64_t total = w.numel();
  auto scale_rows = [&](int64_t rows, int64_t row_size, auto channel_of_row) {
    for (int64_t r = 0; r < rows; ++r) {
      double f = a.scale[static_cast<size_t>(channel_of_row(r))];
      for (int64_t i = r * row_size; i < (r + 1) * row_size; ++i) wd[static_cast<size_t>(i)] *= f;
    }
  };
  if (p.op_type == "Conv" || (p.op_type == "Gemm" && p.attr_int("transB", 0))) {
    scale_rows(w.dim(0), total / w.dim(0), [](int64_t r) { return r; });
  } else if (p.op_type == "ConvTranspose") {
    // [C, M/g, k...]: row (ci, j) belongs to group ci / (C/g), output channel g*(M/g) + j.
    const int64_t per_group_in = w.dim(0) / p.attr_int("group", 1), m_per_group = w.dim(1);
    scale_rows(w.dim(0) * w.dim(1), total / (w.dim(0) * w.dim(1)),
               [&](int64_t r) { return (r / m_per_group / per_group_in) * m_per_group + r % m_per_group; });
  } else {  // Gemm / MatMul weights [K, N]: channel = column
    const int64_t n = w.dim(1);
    for (int64_t i = 0; i < total; ++i) wd[static_cast<size_t>(i)] *= a.scale[static_cast<size_t>(i % n)];
  }
  for (int64_t c = 0; c < channels; ++c) {
    size_t k = static_cast<size_t>(c);
    bias[k] = bias[k] * a.scale[k] + a.shift[k];
  }
  ir::Value* new_w = passes::add_constant(g, p.inputs[1]->name + "_fused", to_float(wd, w.shape()));
  ir::Value* new_b = passes::add_constant(g, p.name.empty() ? "fused_bias" : p.name + "_bias", to_float(bias, {channels}));
  if (p.op_type == "MatMul") {
    g.add_node("FusedMatMul", std::string(kKilnDomain), 1, {p.inputs[0], new_w, new_b}, {out}, p.name);
    rw.remove(&p);
    return;
  }
  p.inputs[1] = new_w;
  if (p.inputs.size() < 3) p.inputs.resize(3, nullptr);
  p.inputs[2] = new_b;
  if (p.op_type == "Gemm") passes::set_float(p, "beta", 1.0f);
  p.outputs[0] = out;
}

}  // namespace

Expected<bool> fuse_batchnorm(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& n, passes::Rewrite& rw) -> Expected<bool> {
    ir::Graph& g = rw.graph;
    if (!n.domain.empty() || !n.has_input(0) || !n.has_output(0)) return false;
    ir::Node* p = n.inputs[0]->producer;
    if (n.op_type == "BatchNormalization") {
      if (rw.dead(p) || !passes::sole_use(g, p->outputs[0]) || p->outputs[0] != n.inputs[0]) return false;
      int64_t channels = output_channels(*p);
      if (channels == 0) return false;
      auto a = batchnorm_affine(n, channels);
      if (!a) return false;
      fold_into(g, rw, *p, *a, n.outputs[0]);
      rw.remove(&n);
      return true;
    }
    // Conv -> Mul(per-channel) [-> Add(per-channel)], or Conv -> Add(per-channel); same for
    // ConvTranspose.
    if ((n.op_type != "Mul" && n.op_type != "Add") || n.inputs.size() != 2) return false;
    ir::Value* x = nullptr;
    for (int side = 0; side < 2 && !x; ++side) {
      ir::Node* c = n.inputs[side]->producer;
      if (!rw.dead(c) && (c->op_type == "Conv" || c->op_type == "ConvTranspose") && c->domain.empty() &&
          c->outputs[0] == n.inputs[side]) {
        x = n.inputs[side];
      }
    }
    if (!x || !passes::sole_use(g, x) || passes::other_input(n, x) == nullptr) return false;
    ir::Node* conv = x->producer;
    int64_t channels = output_channels(*conv);
    const Tensor* w = channels ? known(conv->inputs[1]) : nullptr;
    if (!w) return false;
    auto v = per_channel(passes::other_input(n, x), channels, w->rank());
    if (!v) return false;
    ChannelAffine a{std::vector<double>(static_cast<size_t>(channels), 1.0), std::vector<double>(static_cast<size_t>(channels), 0.0)};
    (n.op_type == "Mul" ? a.scale : a.shift) = *v;
    fold_into(g, rw, *conv, a, n.outputs[0]);
    rw.remove(&n);
    return true;
  });
}

}  // namespace kiln
