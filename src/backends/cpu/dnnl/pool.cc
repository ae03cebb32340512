// oneDNN pooling (MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool) and LRN, NCHW or
// channels-last (their kiln.Nhwc<Op> forms), fp32 inference, 1D/2D/3D.
//
// ONNX -> oneDNN mapping:
//   ceil_mode: the right padding is enlarged until oneDNN's floor formula yields ONNX's size.
//     Max ignores padding and average-exclude-padding clips the window to the input, so both
//     match; average with count_include_pad counts only the explicit pads in ONNX, so a shape
//     whose padding had to be enlarged runs on the reference kernel.
//   dilations: pooling_v2 (oneDNN dilation = ONNX dilation - 1).
//   MaxPool's Indices output is not produced by oneDNN inference: declined at prepare.
//   LRN: ONNX y = x / (bias + alpha / size * sum x^2)^beta over channels
//     [c - floor((size-1)/2), c + ceil((size-1)/2)] is oneDNN's lrn_across_channels with
//     k = bias and the same alpha (oneDNN also divides alpha by local_size), for odd sizes; even
//     sizes are declined (oneDNN's window differs).
#include "backends/cpu/dnnl/conv_common.h"
#include "backends/cpu/dnnl/conv_kernels.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu::onednn {
namespace {

struct Entry {
  bool fallback = true;
  Shape out_shape;  // storage layout
  dnnl::primitive_desc pd;
  dnnl::primitive prim;
  dnnl::memory::desc src_md, dst_md;
  size_t scratch_bytes = 0;
  CallArgs args;
};

// Shared run(): the per-shape entry made by Make, then src -> dst.
class DataKernel : public OpKernel {
 public:
  DataKernel(bool channels_last, KernelFn fallback) : channels_last_(channels_last), fallback_(fallback) {}

  Expected<std::shared_ptr<const Entry>> entry(const ir::Node& node, const Shape& x_shape) const {
    return cache_.get(x_shape, [&]() -> Expected<std::shared_ptr<const Entry>> {
      auto e = std::make_shared<Entry>();
      if (x_shape.size() < 3 || x_shape.size() > 5 || shape_numel(x_shape) == 0) return std::shared_ptr<const Entry>(e);
      try {
        make(node, logical_dims(x_shape, channels_last_), *e);
      } catch (const dnnl::error&) {
        e->fallback = true;  // oneDNN cannot take this shape: the reference kernel runs it
      }
      return std::shared_ptr<const Entry>(e);
    });
  }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    KILN_ASSIGN_OR_RETURN(auto e, entry(ctx.node(), x.shape()));
    if (e->fallback) return run_fallback(fallback_, ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, e->out_shape);
    ArgMap& args = e->args.get([&] {
      ArgMap a = {{DNNL_ARG_SRC, wrap(e->src_md, nullptr)}, {DNNL_ARG_DST, wrap(e->dst_md, nullptr)}};
      if (e->scratch_bytes > 0) a.insert({DNNL_ARG_SCRATCHPAD, wrap(e->pd.scratchpad_desc(), nullptr)});
      return a;
    });
    point(args, DNNL_ARG_SRC, x.raw());
    point(args, DNNL_ARG_DST, y.raw());
    return execute_args(ctx, e->prim, args, e->scratch_bytes);
  }

 protected:
  // Fills e (pd, prim, mds, out_shape, fallback=false) for logical input dims xl, or leaves
  // e.fallback set. May throw dnnl::error.
  virtual void make(const ir::Node& node, const Shape& xl, Entry& e) const = 0;

  // Storage-layout output shape and data descriptors for logical dims.
  void set_layout(const Shape& xl, const Shape& yl, Entry& e) const {
    const auto tag = data_tag(xl.size(), channels_last_);
    e.src_md = f32_desc(xl, tag);
    e.dst_md = f32_desc(yl, tag);
    e.out_shape = channels_last_ ? to_channels_last(yl) : yl;
  }

  bool channels_last_;

 private:
  KernelFn fallback_;
  ShapeCache<Entry> cache_;
};

enum class PoolKind { kMax, kAverage, kGlobalMax, kGlobalAverage };

class PoolKernel final : public DataKernel {
 public:
  PoolKernel(PoolKind kind, bool channels_last, KernelFn fallback) : DataKernel(channels_last, fallback), kind_(kind) {}

 private:
  void make(const ir::Node& node, const Shape& xl, Entry& e) const override {
    const size_t nsp = xl.size() - 2;
    std::vector<int64_t> in(xl.begin() + 2, xl.end());
    std::vector<int64_t> kernel, strides(nsp, 1), dil(nsp, 0), pl(nsp, 0), pr(nsp, 0), out(nsp, 1);
    dnnl::algorithm alg = dnnl::algorithm::pooling_max;
    if (kind_ == PoolKind::kGlobalMax || kind_ == PoolKind::kGlobalAverage) {
      kernel = in;
      if (kind_ == PoolKind::kGlobalAverage) alg = dnnl::algorithm::pooling_avg_exclude_padding;
    } else {
      const bool ceil_mode = node.attr_int("ceil_mode", 0) != 0;
      const bool include_pad = kind_ == PoolKind::kAverage && node.attr_int("count_include_pad", 0) != 0;
      if (kind_ == PoolKind::kAverage) {
        alg = include_pad ? dnnl::algorithm::pooling_avg_include_padding : dnnl::algorithm::pooling_avg_exclude_padding;
      }
      auto g = forward_window(node, in, node.attr_ints("kernel_shape"), ceil_mode);
      if (!g) return;
      kernel = g->kernel;
      strides = g->strides;
      pl = g->pads_begin;
      for (size_t i = 0; i < nsp; ++i) {
        dil[i] = g->dilations[i] - 1;
        out[i] = g->out[i];
        const int64_t dk = (kernel[i] - 1) * g->dilations[i] + 1;
        // Enough right padding for oneDNN's floor formula to give ONNX's (possibly ceil) size.
        const int64_t needed = (out[i] - 1) * strides[i] + dk - in[i] - pl[i];
        pr[i] = std::max(g->pads_end[i], needed);
        if (include_pad && pr[i] != g->pads_end[i]) return;
        // A window lying wholly in the padding has no ONNX value oneDNN would agree on.
        if (pl[i] >= dk || pr[i] >= dk) return;
      }
    }
    Shape yl = {xl[0], xl[1]};
    yl.insert(yl.end(), out.begin(), out.end());
    if (shape_numel(yl) == 0) return;
    set_layout(xl, yl, e);
    dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, alg, e.src_md, e.dst_md, to_dims(strides),
                                        to_dims(kernel), to_dims(dil), to_dims(pl), to_dims(pr));
    auto pd = dnnl::pooling_v2_forward::primitive_desc(desc, base_attr(), engine());
    e.prim = dnnl::pooling_v2_forward(pd);
    e.pd = pd;
    e.scratch_bytes = pd.scratchpad_desc().get_size();
    e.fallback = false;
  }

  PoolKind kind_;
};

class LrnKernel final : public DataKernel {
 public:
  LrnKernel(int64_t size, float alpha, float beta, float bias, bool channels_last, KernelFn fallback)
      : DataKernel(channels_last, fallback), size_(size), alpha_(alpha), beta_(beta), bias_(bias) {}

 private:
  void make(const ir::Node&, const Shape& xl, Entry& e) const override {
    set_layout(xl, xl, e);
    dnnl::lrn_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::lrn_across_channels, e.src_md,
                                 size_, alpha_, beta_, bias_);
    auto pd = dnnl::lrn_forward::primitive_desc(desc, base_attr(), engine());
    e.prim = dnnl::lrn_forward(pd);
    e.pd = pd;
    e.scratch_bytes = pd.scratchpad_desc().get_size();
    e.fallback = false;
  }

  int64_t size_;
  float alpha_, beta_, bias_;
};

// Base op name and layout of a pool/LRN node (ONNX or kiln.Nhwc<Op>).
std::pair<std::string_view, bool> base_op(const ir::Node& node) {
  if (node.domain == "kiln") return {channels_last_base_op(node.op_type), true};
  return {node.op_type, false};
}

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_pool(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  auto [op, channels_last] = base_op(node);
  if (!f32_data_input(pctx, 0)) return decline();
  KernelFn fallback = reference_kernel(node);
  if (!fallback) return decline();
  PoolKind kind;
  if (op == "MaxPool") {
    kind = PoolKind::kMax;
    if (node.has_output(1)) return decline();  // Indices: oneDNN inference gives none
  } else if (op == "AveragePool") {
    kind = PoolKind::kAverage;
  } else if (op == "GlobalMaxPool") {
    kind = PoolKind::kGlobalMax;
  } else if (op == "GlobalAveragePool") {
    kind = PoolKind::kGlobalAverage;
  } else {
    return decline();
  }
  auto k = std::make_unique<PoolKernel>(kind, channels_last, fallback);
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (xt->fully_known()) KILN_TRY(k->entry(node, xt->concrete()).status());
  return std::unique_ptr<OpKernel>(std::move(k));
}

Expected<std::unique_ptr<OpKernel>> prepare_lrn(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  auto [op, channels_last] = base_op(node);
  if (op != "LRN" || !f32_data_input(pctx, 0)) return decline();
  const int64_t size = node.attr_int("size", 0);
  // size < 1: the reference kernel reports it. Even sizes: oneDNN's window is not ONNX's
  // asymmetric one (measured: results differ), so only odd sizes run here.
  if (size < 1 || size % 2 == 0) return decline();
  KernelFn fallback = reference_kernel(node);
  if (!fallback) return decline();
  auto k = std::make_unique<LrnKernel>(size, node.attr_float("alpha", 1e-4f), node.attr_float("beta", 0.75f),
                                       node.attr_float("bias", 1.0f), channels_last, fallback);
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (xt->fully_known()) KILN_TRY(k->entry(node, xt->concrete()).status());
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace kiln::cpu::onednn
