// oneDNN convolution for ONNX Conv and kiln.FusedConv (bias, sum input Z and activation fused as
// post-ops), NCHW or channels-last, 1D/2D/3D, groups/depthwise, fp32 inference.
//
// Weights are constants: they are reordered once into the layout the primitive picks
// (format_tag::any). Primitives depend on the input shape, so they are created per shape on first
// use (at prepare already when the static shape is known); a later shape whose primitive wants a
// different weight layout gets its own reordered copy.
#include <atomic>
#include <cstring>
#include <string>

#include "backends/cpu/dnnl/conv_common.h"
#include "backends/cpu/dnnl/conv_kernels.h"
#include "backends/cpu/dnnl/packed_blob.h"
#include "core/parallel.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu::onednn {
namespace {

using dt = dnnl::memory::data_type;

std::atomic<int64_t> g_weight_reorders{0};
std::atomic<int64_t> g_channels_last_blocked{0};

struct ConvEntry {
  bool fallback = false;  // this shape runs on the reference kernel
  bool fused = true;      // sum/activation are post-ops (else applied after the primitive)
  Shape out_shape;        // in the storage layout
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  dnnl::memory weights;  // this shape's packed weights
  dnnl::memory::desc src_md, dst_md, bias_md;  // what the primitive reads/writes
  size_t scratch_bytes = 0;                    // the primitive's scratchpad
  CallArgs args;                               // run_direct's argument memories, per thread
  // NCHW data: oneDNN's plain-layout convolutions are im2col + GEMM, far slower than its direct
  // kernels on blocked layouts (nChw8c/16c), so the primitive picks the layout and the data is
  // reordered in and out through scratch memory (Z into the blocked dst before the sum post-op).
  bool reorder_io = false;
  dnnl::memory::desc user_src_md, user_dst_md;
  dnnl::reorder src_in, dst_out, z_in;
};

size_t align64(size_t n) { return (n + 63) & ~size_t{63}; }

// Strided channels-last convolutions with at least this many input channels per group run
// through the blocked layout (see make_entry).
constexpr int64_t kBlockedStridedMinChannels = 64;
// Dense channels-last convolutions whose input (per call) is at least this large, with at least
// this many input channels, run through the blocked layout too (see make_entry). The channel
// minimum keeps the stems (3 channels, padded to 8 when blocked) channels-last.
constexpr int64_t kBlockedWideMinInputBytes = int64_t{2} << 20;
constexpr int64_t kBlockedWideMinChannels = 32;

class ConvKernel final : public OpKernel {
 public:
  ConvKernel(const Tensor& w, const Tensor* b, int64_t group, bool channels_last, bool has_z, Activation act,
             KernelFn fallback, const PackedBlob* prepacked)
      : w_(w), group_(group), channels_last_(channels_last), has_z_(has_z), act_(act), fallback_(fallback),
        prepacked_(prepacked) {
    if (b) bias_ = *b;
  }

  // Creates (or finds) the primitive for input shape `x_shape` (storage layout).
  Expected<std::shared_ptr<const ConvEntry>> entry(const ir::Node& node, const Shape& x_shape) const {
    return cache_.get(x_shape, [&]() { return make_entry(node, x_shape); });
  }

  // Z (input 3) when the static shape's primitive exists: every path reads Z before writing
  // the output element at the same index (run() copies Z first where it would not).
  int in_place_input() const override { return has_z_ && in_place_ok_ ? 3 : -1; }
  void allow_in_place() { in_place_ok_ = true; }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    KILN_ASSIGN_OR_RETURN(auto e, entry(ctx.node(), x.shape()));
    if (e->fallback) return run_fallback(fallback_, ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, e->out_shape);
    const int64_t n = y.numel();
    if (n == 0) return Status::ok();
    float* yp = y.data<float>();
    const Tensor* z = has_z_ && ctx.has_input(3) ? &ctx.input(3) : nullptr;
    if (z && z->shape() != e->out_shape) {
      return ctx.error("sum input Z has shape {}, expected the output's {}", shape_str(z->shape()), shape_str(e->out_shape));
    }
    // Z may share y's storage (in_place_input): the primitive overwrites y before the unfused
    // add reads Z, so that add needs Z's copy.
    if (z && !e->fused && z->raw() == static_cast<const void*>(yp)) {
      auto* copy = static_cast<float*>(ctx.scratch(static_cast<size_t>(n) * sizeof(float)));
      std::memcpy(copy, yp, static_cast<size_t>(n) * sizeof(float));
      KILN_TRY(e->reorder_io ? run_reordered(ctx, *e, x, nullptr, yp) : run_direct(ctx, *e, x, nullptr, yp, n));
      add_inplace(yp, copy, n);
      apply_activation(yp, n, act_);
      return Status::ok();
    }
    // The sum post-op adds the convolution to what dst holds: start from Z (zeros when the
    // optional Z is empty at run time).
    if (e->reorder_io) {
      KILN_TRY(run_reordered(ctx, *e, x, z, yp));
    } else {
      KILN_TRY(run_direct(ctx, *e, x, z, yp, n));
    }
    if (!e->fused) {
      if (z) add_inplace(yp, z->data<float>(), n);
      apply_activation(yp, n, act_);
    }
    return Status::ok();
  }

 private:
  Status run_direct(KernelContext& ctx, const ConvEntry& en, const Tensor& x, const Tensor* z, float* yp, int64_t n) const {
    const ConvEntry* e = &en;
    if (has_z_ && e->fused) {
      const float* zp = z ? z->data<float>() : nullptr;
      parallel_for(
          n,
          [&](int64_t b, int64_t end) {
            const size_t bytes = static_cast<size_t>(end - b) * sizeof(float);
            if (!zp) std::memset(yp + b, 0, bytes);
            else if (zp != yp) std::memcpy(yp + b, zp + b, bytes);  // equal: Z is y's storage already
          },
          1 << 16);
    }
    ArgMap& args = e->args.get([&] {
      ArgMap a = {{DNNL_ARG_SRC, wrap(e->src_md, nullptr)}, {DNNL_ARG_WEIGHTS, borrow(e->weights)}, {DNNL_ARG_DST, wrap(e->dst_md, nullptr)}};
      if (bias_.valid()) a.insert({DNNL_ARG_BIAS, wrap(e->bias_md, bias_.raw())});
      if (e->scratch_bytes > 0) a.insert({DNNL_ARG_SCRATCHPAD, wrap(e->pd.scratchpad_desc(), nullptr)});
      return a;
    });
    point(args, DNNL_ARG_SRC, x.raw());
    point(args, DNNL_ARG_DST, yp);
    return execute_args(ctx, e->prim, args, e->scratch_bytes);
  }

  // NCHW through the primitive's blocked layout; one scratch block holds the primitive's
  // scratchpad and the blocked src and dst.
  Status run_reordered(KernelContext& ctx, const ConvEntry& e, const Tensor& x, const Tensor* z, float* yp) const {
    const dnnl::memory::desc scratch_md = e.pd.scratchpad_desc();
    const size_t a = align64(scratch_md.get_size()), sb = align64(e.src_md.get_size()), db = align64(e.dst_md.get_size());
    char* base = static_cast<char*>(ctx.scratch(a + sb + db));
    try {
      const dnnl::engine& eng = engine();
      dnnl::memory src(e.src_md, eng, base + a), dst(e.dst_md, eng, base + a + sb);
      dnnl::memory user_src = wrap(e.user_src_md, x.raw()), user_dst = wrap(e.user_dst_md, yp);
      dnnl::stream& st = stream();
      e.src_in.execute(st, user_src, src);
      if (has_z_ && e.fused) {
        if (z) {
          dnnl::memory user_z = wrap(e.user_dst_md, z->raw());
          e.z_in.execute(st, user_z, dst);
        }
        else std::memset(base + a + sb, 0, e.dst_md.get_size());
      }
      std::unordered_map<int, dnnl::memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, e.weights}, {DNNL_ARG_DST, dst}};
      if (bias_.valid()) args.insert({DNNL_ARG_BIAS, wrap(e.bias_md, bias_.raw())});
      if (a > 0) args.insert({DNNL_ARG_SCRATCHPAD, dnnl::memory(scratch_md, eng, base)});
      e.prim.execute(st, args);
      e.dst_out.execute(st, dst, user_dst);
      st.wait();
    } catch (const dnnl::error& err) {
      return ctx.error("oneDNN execution failed: {} (status {})", err.what(), static_cast<int>(err.status));
    }
    return Status::ok();
  }

  Expected<std::shared_ptr<const ConvEntry>> make_entry(const ir::Node& node, const Shape& x_shape) const {
    auto e = std::make_shared<ConvEntry>();
    e->fallback = true;
    const size_t rank = x_shape.size();
    const size_t nsp = static_cast<size_t>(w_.rank()) - 2;
    if (rank != nsp + 2) return std::shared_ptr<const ConvEntry>(e);  // the reference kernel reports it
    const Shape xl = logical_dims(x_shape, channels_last_);
    const int64_t m = w_.dim(0), cg = w_.dim(1);
    if (xl[1] != cg * group_ || m % group_ != 0) return std::shared_ptr<const ConvEntry>(e);
    std::vector<int64_t> in(xl.begin() + 2, xl.end()), kernel(w_.shape().begin() + 2, w_.shape().end());
    auto g = forward_window(node, in, kernel, false);
    if (!g) return std::shared_ptr<const ConvEntry>(e);
    Shape yl = {xl[0], m};
    for (int64_t o : g->out) yl.push_back(o);
    e->out_shape = channels_last_ ? to_channels_last(yl) : yl;
    if (shape_numel(xl) == 0 || shape_numel(yl) == 0) {
      // Nothing to compute (empty batch): the output is empty too.
      if (shape_numel(yl) == 0) e->fallback = false;
      return std::shared_ptr<const ConvEntry>(e);
    }
    std::vector<int64_t> dil, pad_r;
    for (size_t i = 0; i < nsp; ++i) dil.push_back(g->dilations[i] - 1);  // oneDNN: 0 = dense
    // Weights [M, C/G, k...] viewed as oneDNN's grouped [G, M/G, C/G, k...] (same memory).
    Shape wdims = {group_, m / group_, cg};
    wdims.insert(wdims.end(), kernel.begin(), kernel.end());
    const auto tag = data_tag(rank, channels_last_);
    try {
      e->user_src_md = f32_desc(xl, tag);
      e->user_dst_md = f32_desc(yl, tag);
      // Channels-last data is what the direct kernels read; NCHW lets the primitive choose.
      dnnl::memory::desc w_any(to_dims(wdims), dt::f32, dnnl::memory::format_tag::any);
      if (bias_.valid()) e->bias_md = f32_desc({m}, dnnl::memory::format_tag::a);
      // Sets e->pd (and e->fused) for the given data descriptors.
      auto create = [&](const dnnl::memory::desc& src_md, const dnnl::memory::desc& dst_md) {
        const auto prop = dnnl::prop_kind::forward_inference;
        const auto alg = dnnl::algorithm::convolution_direct;
        const auto st = to_dims(g->strides), di = to_dims(dil), pl = to_dims(g->pads_begin), pr = to_dims(g->pads_end);
        auto desc = bias_.valid() ? dnnl::convolution_forward::desc(prop, alg, src_md, w_any, e->bias_md, dst_md, st, di, pl, pr)
                                  : dnnl::convolution_forward::desc(prop, alg, src_md, w_any, dst_md, st, di, pl, pr);
        dnnl::primitive_attr attr = base_attr();
        dnnl::post_ops ops;
        if (has_z_) ops.append_sum(1.f);
        const bool mapped = append_activation(ops, act_);
        attr.set_post_ops(ops);
        e->fused = true;
        try {
          if (!mapped) throw dnnl::error(dnnl_unimplemented, "activation has no post-op");
          e->pd = dnnl::convolution_forward::primitive_desc(desc, attr, engine());
        } catch (const dnnl::error&) {
          // No implementation with these post-ops: convolve plainly, then add Z / activate ourselves.
          e->fused = false;
          e->pd = dnnl::convolution_forward::primitive_desc(desc, base_attr(), engine());
        }
      };
      const dnnl::memory::desc src_any = f32_desc(xl, dnnl::memory::format_tag::any);
      const dnnl::memory::desc dst_any = f32_desc(yl, dnnl::memory::format_tag::any);
      if (!channels_last_) {
        // NCHW: the primitive picks its (blocked) layout; data is reordered in and out.
        create(src_any, dst_any);
      } else {
        create(e->user_src_md, e->user_dst_md);
        // Channels-last runs in place with AVX-512's brgconv, and with AVX2's 1x1 and stride-1
        // direct kernels. AVX2's strided NHWC kernel is slower than the blocked one on wide
        // inputs (3x3 s2 128->128 @56: 6.0 vs 5.0 ms with the reorders, 1 thread), but faster
        // on narrow ones, where the blocked layout pads C to 8 (stems: 3->16 @640 1.3 vs 2.9 ms,
        // 3->64 7x7 @224 1.5 vs 1.8 ms on 2 threads; real data, alternating runs).
        const std::string impl = e->pd.impl_info_str();
        bool strided = false;
        for (int64_t st : g->strides) strided = strided || st > 1;
        // The same holds at stride 1 once the input is large: PP-OCRv4 det's 3x3 96->24 @160x160
        // takes 12.3-13.5 ms channels-last against 7.4 ms blocked on 2 threads (1 thread: 23.3 vs
        // 12.8), 3x3 64->64 @160 17.1 vs 11.2, 256->64 @80 20.8 vs 13.0 (hot caches, no reorders).
        // In the det, reorders included: @160 14.3-15.0 -> 8.9-10.3 ms per node, @80 (2.4 MB)
        // 2.4-3.6 -> 2.0-2.6 ms (2 threads). On small inputs (ResNet's 64->64 @56, 0.8 MB) the
        // two kernels are within 5% and the reorders would eat the gain. Row bands of the
        // channels-last primitive do not help (12.5 vs 11 ms @160).
        const bool direct_nhwc = impl.find("brg") == std::string::npos && impl.find("1x1") == std::string::npos;
        const bool wide = group_ == 1 && xl[1] >= kBlockedWideMinChannels &&
                          shape_numel(xl) * static_cast<int64_t>(sizeof(float)) >= kBlockedWideMinInputBytes;
        if (direct_nhwc && ((strided && xl[1] / group_ >= kBlockedStridedMinChannels) || wide)) {
          create(src_any, dst_any);
          g_channels_last_blocked.fetch_add(1, std::memory_order_relaxed);
        }
      }
      e->prim = dnnl::convolution_forward(e->pd);
      e->scratch_bytes = e->pd.scratchpad_desc().get_size();
      e->src_md = e->pd.src_desc();
      e->dst_md = e->pd.dst_desc();
      e->reorder_io = e->src_md != e->user_src_md || e->dst_md != e->user_dst_md;
      if (e->reorder_io) {
        e->src_in = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), e->user_src_md, engine(), e->src_md));
        e->dst_out = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), e->dst_md, engine(), e->user_dst_md));
        if (has_z_) e->z_in = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), e->user_dst_md, engine(), e->dst_md));
      }
      e->weights = packed_weights(e->pd.weights_desc(), wdims);
    } catch (const dnnl::error&) {
      return std::shared_ptr<const ConvEntry>(e);  // oneDNN cannot take this shape: reference runs it
    }
    e->fallback = false;
    return std::shared_ptr<const ConvEntry>(e);
  }

  // Weights in layout `md`: reordered once and shared by every shape that picks the same layout.
  // Called under the cache mutex.
  dnnl::memory packed_weights(const dnnl::memory::desc& md, const Shape& wdims) const {
    for (const dnnl::memory& p : packed_) {
      if (p.get_desc() == md) return p;
    }
    if (prepacked_) {
      // An offline model's blob in the layout this primitive wants: used in place, no copy.
      if (const void* data = packed_blob_data(*prepacked_, md)) {
        dnnl::memory stored(md, engine(), const_cast<void*>(data));
        packed_.push_back(stored);
        return stored;
      }
    }
    g_weight_reorders.fetch_add(1, std::memory_order_relaxed);
    dnnl::memory user = wrap(f32_desc(wdims, plain_tag(wdims.size())), w_.raw());
    dnnl::memory packed(md, engine());
    dnnl::stream s(engine());
    dnnl::reorder(user, packed).execute(s, user, packed);
    s.wait();
    packed_.push_back(packed);
    return packed;
  }

  // The first packed layout (the static shape's, created at prepare) for an offline model.
  // Called once the session is prepared, before any run, so packed_ is not being extended.
  std::string export_packed() const override {
    return packed_.empty() ? std::string() : packed_blob(packed_.front());
  }

  Tensor w_, bias_;
  int64_t group_;
  bool channels_last_, has_z_;
  Activation act_;
  KernelFn fallback_;
  const PackedBlob* prepacked_ = nullptr;
  bool in_place_ok_ = false;
  ShapeCache<ConvEntry> cache_;
  mutable std::vector<dnnl::memory> packed_;
};

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_conv(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  const bool fused = node.domain == "kiln";
  const Tensor* w = pctx.constant(1);
  const Tensor* b = node.has_input(2) ? pctx.constant(2) : nullptr;
  if (!f32_data_input(pctx, 0) || !w || w->dtype() != DType::kFloat32 || w->rank() < 3 || w->rank() > 5) return decline();
  if (node.has_input(2) && (!b || b->dtype() != DType::kFloat32 || b->rank() != 1 || b->dim(0) != w->dim(0))) return decline();
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (xt->has_rank() && xt->rank() != w->rank()) return decline();
  const int64_t group = node.attr_int("group", 1);
  if (group < 1 || w->dim(0) % group != 0) return decline();
  bool channels_last = false, has_z = false;
  Activation act;
  if (fused) {
    channels_last = node.attr_int("channels_last", 0) != 0;
    has_z = node.has_input(3);
    KILN_ASSIGN_OR_RETURN(act, Activation::from_node(node));
  }
  KernelFn fallback = reference_kernel(node);
  if (!fallback) return decline();
  auto k = std::make_unique<ConvKernel>(*w, b, group, channels_last, has_z, act, fallback, pctx.packed);
  // Known static shape: create the primitive and pack the weights now, not on the first run.
  if (xt->fully_known()) {
    KILN_ASSIGN_OR_RETURN(auto e, k->entry(node, xt->concrete()));
    if (!e->fallback) k->allow_in_place();  // the reference fallback zero-fills its output first
  }
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace kiln::cpu::onednn

namespace kiln::cpu::onednn {

namespace {
std::atomic<int64_t> g_fallback_runs{0};
}  // namespace

Status run_fallback(KernelFn fn, KernelContext& ctx) {
  g_fallback_runs.fetch_add(1, std::memory_order_relaxed);
  return fn(ctx);
}

int64_t reference_fallback_runs() { return g_fallback_runs.load(std::memory_order_relaxed); }

int64_t conv_weight_reorders() { return g_weight_reorders.load(std::memory_order_relaxed); }

namespace {
std::atomic<int> g_brgemm_override{-1};
}  // namespace

bool dense_conv_is_brgemm() {
  static const bool brg = [] {
    const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
    return isa == dnnl::cpu_isa::avx512_core || isa == dnnl::cpu_isa::avx512_core_vnni ||
           isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
  }();
  const int pinned = g_brgemm_override.load(std::memory_order_relaxed);
  return pinned >= 0 ? pinned != 0 : brg;
}

void set_dense_conv_is_brgemm_for_testing(int value) { g_brgemm_override.store(value, std::memory_order_relaxed); }

int64_t channels_last_blocked_convs() { return g_channels_last_blocked.load(std::memory_order_relaxed); }

}  // namespace kiln::cpu::onednn
