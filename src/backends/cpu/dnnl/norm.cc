// LayerNormalization, BatchNormalization (inference) and InstanceNormalization, plus the
// kiln.Nhwc forms of the last two, on oneDNN's layer/batch normalization primitives (fp32).
//
//   LayerNormalization: X viewed as [outer, inner] at `axis`; Scale/B must hold exactly the
//     normalized shape (no broadcasting inside it) and only output 0 may be used.
//   BatchNormalization: global (given) statistics, per-channel parameters; NCHW or channels-last.
//   InstanceNormalization: per-(n, c) statistics = batch normalization over [1, N*C, spatial]
//     with the scale/shift repeated per n (NCHW), or per-n over [1, C, spatial] stored
//     channels-last (Nhwc form).
// Configurations outside these (training, stats outputs, broadcast parameters, empty tensors)
// decline at prepare or run the reference kernel.
#include <map>
#include <mutex>
#include <unordered_map>

#include "backends/cpu/dnnl/dnnl_common.h"
#include "backends/cpu/dnnl/matmul_kernels.h"
#include "backends/reference/kiln/kiln_kernels.h"
#include "backends/reference/reduction/reduction_kernels.h"
#include "ops/kiln/kiln_ops.h"

namespace kiln::cpu {

namespace {

using dnnl::memory;
using Flags = dnnl::normalization_flags;

size_t round_up(size_t n) { return (n + 63) / 64 * 64; }

// One normalization primitive with the buffers it wants besides its data.
struct NormEntry {
  dnnl::primitive prim;
  memory::desc data_md, stat_md, param_md, scratch_md;
  size_t scratch = 0, stat_bytes = 0;  // stat_bytes: mean/variance the primitive writes (0: none)
};

// Carves one ctx.scratch() block into the primitive's scratchpad, the mean and variance buffers
// when the primitive computes its own statistics, and `extra_bytes` for the caller (returned).
float* carve_scratch(KernelContext& ctx, const NormEntry& e, std::unordered_map<int, memory>& args, size_t extra_bytes) {
  const size_t sp = round_up(e.scratch), st = round_up(e.stat_bytes);
  char* base = static_cast<char*>(ctx.scratch(sp + 2 * st + extra_bytes + 64));
  auto& eng = onednn::engine();
  if (e.scratch > 0) args.insert({DNNL_ARG_SCRATCHPAD, memory(e.scratch_md, eng, base)});
  if (e.stat_bytes > 0) {
    args.insert({DNNL_ARG_MEAN, memory(e.stat_md, eng, base + sp)});
    args.insert({DNNL_ARG_VARIANCE, memory(e.stat_md, eng, base + sp + st)});
  }
  return reinterpret_cast<float*>(base + sp + 2 * st);
}

Status run_norm(KernelContext& ctx, const NormEntry& e, std::unordered_map<int, memory>& args, const char* what) {
  try {
    e.prim.execute(onednn::stream(), args);
    onednn::stream().wait();
  } catch (const dnnl::error& err) {
    return ctx.error("oneDNN {} failed: {}", what, err.what());
  }
  return Status::ok();
}

memory wrap(const memory::desc& md, const float* p) {
  return memory(md, onednn::engine(), const_cast<float*>(p));
}

// Per-shape cache of normalization primitives (run() may be called from several threads).
class NormCache {
 public:
  template <typename Make>
  const NormEntry* get(const memory::dims& key, Make make) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second.get();
    std::unique_ptr<NormEntry> e = std::make_unique<NormEntry>();
    try {
      make(*e);
    } catch (const dnnl::error&) {
      e = nullptr;
    }
    const NormEntry* p = e.get();
    cache_[key] = std::move(e);
    return p;
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<memory::dims, std::unique_ptr<NormEntry>> cache_;
};

bool is_f32(const ir::TypeInfo* t) { return t && t->is_tensor() && t->elem == DType::kFloat32; }

// ---- LayerNormalization ----

class LayerNormKernel : public OpKernel {
 public:
  int64_t axis = -1;
  float epsilon = 1e-5f;

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    const int64_t a = axis < 0 ? axis + rank : axis;
    if (x.dtype() != DType::kFloat32 || rank == 0 || a < 0 || a >= rank || x.numel() == 0) {
      return reference::layer_normalization(ctx);
    }
    const Shape norm_shape(x.shape().begin() + a, x.shape().end());
    const int64_t inner = shape_numel(norm_shape), outer = x.numel() / inner;
    const bool has_b = ctx.has_input(2);
    if (!exact(ctx.input(1), norm_shape) || (has_b && !exact(ctx.input(2), norm_shape))) {
      return reference::layer_normalization(ctx);
    }
    const NormEntry* e = cache_.get({outer, inner, has_b}, [&](NormEntry& n) {
      n.data_md = onednn::plain_f32({outer, inner});
      const Flags flags = has_b ? Flags::use_scale | Flags::use_shift : Flags::use_scale;
      dnnl::layer_normalization_forward::desc d(dnnl::prop_kind::forward_inference, n.data_md, epsilon, flags);
      dnnl::layer_normalization_forward::primitive_desc pd(d, onednn::base_attr(), onednn::engine());
      n.prim = dnnl::layer_normalization_forward(pd);
      n.param_md = onednn::plain_f32({inner});
      n.stat_md = pd.mean_desc();
      n.stat_bytes = n.stat_md.get_size();
      n.scratch_md = pd.scratchpad_desc();
      n.scratch = n.scratch_md.get_size();
    });
    if (!e) return reference::layer_normalization(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, x.shape());
    std::unordered_map<int, memory> args;
    args.insert({DNNL_ARG_SRC, wrap(e->data_md, x.data<float>())});
    args.insert({DNNL_ARG_DST, wrap(e->data_md, y.data<float>())});
    args.insert({DNNL_ARG_SCALE, wrap(e->param_md, ctx.input(1).data<float>())});
    if (has_b) args.insert({DNNL_ARG_SHIFT, wrap(e->param_md, ctx.input(2).data<float>())});
    carve_scratch(ctx, *e, args, 0);
    return run_norm(ctx, *e, args, "layer normalization");
  }

 private:
  // A parameter that needs no broadcasting: the normalized shape, possibly without some of its
  // leading 1s (a longer rank is the reference kernel's error to report).
  static bool exact(const Tensor& p, const Shape& norm_shape) {
    const Shape& s = p.shape();
    if (p.dtype() != DType::kFloat32 || p.numel() != shape_numel(norm_shape) || s.size() > norm_shape.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[s.size() - 1 - i] != norm_shape[norm_shape.size() - 1 - i]) return false;
    }
    return true;
  }

  NormCache cache_;
};

// ---- BatchNormalization / InstanceNormalization ----

// Dims and strides of X as oneDNN's [N, C, spatial...] whether stored NCHW or channels-last.
void nc_view(const Shape& s, bool channels_last, memory::dims* dims, memory::dims* strides) {
  *dims = channels_last ? memory::dims(to_channels_first(s)) : memory::dims(s);
  std::vector<int64_t> st = shape_strides(s);  // strides of the stored order
  *strides = channels_last ? memory::dims(to_channels_first(st)) : memory::dims(st);
  // 2.6 has JIT batch normalization for 2-D, 4-D and 5-D data only: 3-D becomes [N, C, 1, W].
  if (dims->size() == 3) {
    dims->insert(dims->begin() + 2, 1);
    strides->insert(strides->begin() + 2, (*strides)[2] * (*dims)[3]);
  }
}

class BatchNormKernel : public OpKernel {
 public:
  bool channels_last = false;
  float epsilon = 1e-5f;
  KernelFn fallback = nullptr;

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    if (x.dtype() != DType::kFloat32 || rank < 2 || rank > 5 || x.numel() == 0) return fallback(ctx);
    const int64_t C = channels_last ? x.dim(rank - 1) : x.dim(1);
    for (size_t i = 1; i <= 4; ++i) {
      if (ctx.input(i).dtype() != DType::kFloat32 || ctx.input(i).numel() != C) return fallback(ctx);
    }
    memory::dims dims, strides;
    nc_view(x.shape(), channels_last, &dims, &strides);
    const NormEntry* e = cache_.get(dims, [&](NormEntry& n) {
      n.data_md = memory::desc(dims, memory::data_type::f32, strides);
      const Flags flags = Flags::use_global_stats | Flags::use_scale | Flags::use_shift;
      dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_inference, n.data_md, epsilon, flags);
      dnnl::batch_normalization_forward::primitive_desc pd(d, onednn::base_attr(), onednn::engine());
      n.prim = dnnl::batch_normalization_forward(pd);
      n.param_md = onednn::plain_f32({C});
      n.stat_md = n.param_md;
      n.scratch_md = pd.scratchpad_desc();
      n.scratch = n.scratch_md.get_size();
    });
    if (!e) return fallback(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, x.shape());
    std::unordered_map<int, memory> args;
    args.insert({DNNL_ARG_SRC, wrap(e->data_md, x.data<float>())});
    args.insert({DNNL_ARG_DST, wrap(e->data_md, y.data<float>())});
    args.insert({DNNL_ARG_SCALE, wrap(e->param_md, ctx.input(1).data<float>())});
    args.insert({DNNL_ARG_SHIFT, wrap(e->param_md, ctx.input(2).data<float>())});
    args.insert({DNNL_ARG_MEAN, wrap(e->param_md, ctx.input(3).data<float>())});
    args.insert({DNNL_ARG_VARIANCE, wrap(e->param_md, ctx.input(4).data<float>())});
    carve_scratch(ctx, *e, args, 0);
    return run_norm(ctx, *e, args, "batch normalization");
  }

 private:
  NormCache cache_;
};

class InstanceNormKernel : public OpKernel {
 public:
  bool channels_last = false;
  float epsilon = 1e-5f;
  KernelFn fallback = nullptr;

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    if (x.dtype() != DType::kFloat32 || rank < (channels_last ? 3 : 2) || x.numel() == 0) return fallback(ctx);
    const int64_t N = x.dim(0), C = channels_last ? x.dim(rank - 1) : x.dim(1);
    const int64_t S = x.numel() / (N * C);
    const Tensor& scale = ctx.input(1);
    const Tensor& bias = ctx.input(2);
    if (scale.dtype() != DType::kFloat32 || bias.dtype() != DType::kFloat32 || scale.numel() != C || bias.numel() != C) {
      return fallback(ctx);
    }
    // NCHW: one problem [1, N*C, 1, S]; channels-last: N problems [1, C, 1, S] stored [S, C].
    // (4-D, not 3-D: 2.6 has JIT batch normalization only for 2-D, 4-D and 5-D data.)
    const int64_t channels = channels_last ? C : N * C;
    const memory::dims dims = {1, channels, 1, S};
    const NormEntry* e = cache_.get(dims, [&](NormEntry& n) {
      n.data_md = channels_last ? memory::desc(dims, memory::data_type::f32, memory::dims{S * C, 1, S * C, C})
                                : onednn::plain_f32(dims);
      dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_inference, n.data_md, epsilon,
                                                Flags::use_scale | Flags::use_shift);
      dnnl::batch_normalization_forward::primitive_desc pd(d, onednn::base_attr(), onednn::engine());
      n.prim = dnnl::batch_normalization_forward(pd);
      n.param_md = onednn::plain_f32({channels});
      n.stat_md = pd.mean_desc();
      n.stat_bytes = n.stat_md.get_size();
      n.scratch_md = pd.scratchpad_desc();
      n.scratch = n.scratch_md.get_size();
    });
    if (!e) return fallback(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, x.shape());
    if (channels_last) {
      for (int64_t n = 0; n < N; ++n) {
        std::unordered_map<int, memory> args;
        args.insert({DNNL_ARG_SRC, wrap(e->data_md, x.data<float>() + n * S * C)});
        args.insert({DNNL_ARG_DST, wrap(e->data_md, y.data<float>() + n * S * C)});
        args.insert({DNNL_ARG_SCALE, wrap(e->param_md, scale.data<float>())});
        args.insert({DNNL_ARG_SHIFT, wrap(e->param_md, bias.data<float>())});
        carve_scratch(ctx, *e, args, 0);
        KILN_TRY(run_norm(ctx, *e, args, "instance normalization"));
      }
      return Status::ok();
    }
    // Scale and shift repeated per batch item, in the same scratch block as the primitive's.
    std::unordered_map<int, memory> args;
    float* ps = carve_scratch(ctx, *e, args, 2 * static_cast<size_t>(N * C) * sizeof(float));
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t c = 0; c < C; ++c) {
        ps[n * C + c] = scale.data<float>()[c];
        ps[N * C + n * C + c] = bias.data<float>()[c];
      }
    }
    args.insert({DNNL_ARG_SRC, wrap(e->data_md, x.data<float>())});
    args.insert({DNNL_ARG_DST, wrap(e->data_md, y.data<float>())});
    args.insert({DNNL_ARG_SCALE, wrap(e->param_md, ps)});
    args.insert({DNNL_ARG_SHIFT, wrap(e->param_md, ps + N * C)});
    return run_norm(ctx, *e, args, "instance normalization");
  }

 private:
  NormCache cache_;
};

bool is_channels_last(const ir::Node& node) { return node.domain == "kiln"; }

KernelFn norm_fallback(const ir::Node& node, KernelFn plain) {
  return is_channels_last(node) ? reference::channels_last_op : plain;
}

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_layer_norm(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (!is_f32(pctx.input_type(0)) || node.num_inputs() < 2) return onednn::decline();
  if (node.has_output(1) || node.has_output(2)) return onednn::decline();  // Mean / InvStdDev wanted
  if (node.attr_int("stash_type", 1) != 1) return onednn::decline();
  auto k = std::make_unique<LayerNormKernel>();
  k->axis = node.attr_int("axis", -1);
  k->epsilon = node.attr_float("epsilon", 1e-5f);
  return std::unique_ptr<OpKernel>(std::move(k));
}

Expected<std::unique_ptr<OpKernel>> prepare_batch_norm(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (!is_f32(pctx.input_type(0)) || node.num_inputs() != 5) return onednn::decline();
  if (node.attr_int("training_mode", 0) != 0) return onednn::decline();
  for (size_t i = 1; i < node.num_outputs(); ++i) {
    if (node.has_output(i)) return onednn::decline();  // running stats wanted: training form
  }
  if (node.opset < 9 && node.attr_int("spatial", 1) == 0) return onednn::decline();
  auto k = std::make_unique<BatchNormKernel>();
  k->channels_last = is_channels_last(node);
  k->epsilon = node.attr_float("epsilon", 1e-5f);
  k->fallback = norm_fallback(node, reference::batch_normalization);
  return std::unique_ptr<OpKernel>(std::move(k));
}

Expected<std::unique_ptr<OpKernel>> prepare_instance_norm(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (!is_f32(pctx.input_type(0)) || node.num_inputs() != 3) return onednn::decline();
  auto k = std::make_unique<InstanceNormKernel>();
  k->channels_last = is_channels_last(node);
  k->epsilon = node.attr_float("epsilon", 1e-5f);
  k->fallback = norm_fallback(node, reference::instance_normalization);
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace kiln::cpu
