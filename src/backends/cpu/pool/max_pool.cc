// kiln.NhwcMaxPool on our channels-last row kernel (max_pool.h): prepare checks the node, run
// works out the window geometry per input size and splits output rows across threads.
#include <atomic>
#include <mutex>
#include <vector>

#include "backends/cpu/pool/max_pool.h"
#include "backends/cpu/pool/max_pool_op.h"
#include "core/cpu_features.h"
#include "core/parallel.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu {

namespace {

std::atomic<int64_t> g_runs{0};

using RowsFn = void (*)(const MaxPoolParams&, const float*, float*, int64_t, int64_t);

class NhwcMaxPoolKernel final : public OpKernel {
 public:
  NhwcMaxPoolKernel(int64_t kh, int64_t kw, bool ceil_mode) : kh_(kh), kw_(kw), ceil_mode_(ceil_mode) {
    switch (cpu_isa()) {
      case Isa::kAvx512: rows_ = max_pool_rows_avx512; break;
      case Isa::kAvx2: rows_ = max_pool_rows_avx2; break;
      default: rows_ = max_pool_rows_scalar; break;
    }
  }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() != 4) {
      return ctx.error("input X must be float32 [N, H, W, C] (channels-last), got {}", x.describe());
    }
    KILN_ASSIGN_OR_RETURN(MaxPoolParams p, params(ctx, x.dim(1), x.dim(2), x.dim(3)));
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, {x.dim(0), p.oh, p.ow, p.c});
    g_runs.fetch_add(1, std::memory_order_relaxed);
    if (y.numel() == 0) return Status::ok();
    const float* xd = x.data<float>();
    float* yd = y.data<float>();
    const RowsFn rows = rows_;
    // ~64 KiB of output per thread at least: a row is a few microseconds of loads and maxes.
    const int64_t row_bytes = p.ow * p.c * static_cast<int64_t>(sizeof(float)) * p.kh * p.kw;
    parallel_for(x.dim(0) * p.oh, [&](int64_t b, int64_t e) { rows(p, xd, yd, b, e); },
                 std::max<int64_t>(1, (int64_t{64} << 10) / std::max<int64_t>(1, row_bytes)));
    return Status::ok();
  }

 private:
  // The geometry for an input size, cached (forward_window allocates).
  Expected<MaxPoolParams> params(KernelContext& ctx, int64_t h, int64_t w, int64_t c) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const MaxPoolParams& p : cache_) {
      if (p.h == h && p.w == w && p.c == c) return p;
    }
    KILN_ASSIGN_OR_RETURN(WindowGeometry g, forward_window(ctx.node(), {h, w}, {kh_, kw_}, ceil_mode_));
    MaxPoolParams p;
    p.h = h, p.w = w, p.c = c, p.oh = g.out[0], p.ow = g.out[1], p.kh = kh_, p.kw = kw_;
    p.sh = g.strides[0], p.sw = g.strides[1], p.dh = g.dilations[0], p.dw = g.dilations[1];
    p.pt = g.pads_begin[0], p.pl = g.pads_begin[1];
    if (cache_.size() < 16) cache_.push_back(p);
    return p;
  }

  int64_t kh_, kw_;
  bool ceil_mode_;
  RowsFn rows_ = nullptr;
  mutable std::mutex mu_;
  mutable std::vector<MaxPoolParams> cache_;
};

Expected<std::unique_ptr<OpKernel>> decline() { return std::unique_ptr<OpKernel>(); }

}  // namespace

int64_t nhwc_max_pool_runs() { return g_runs.load(std::memory_order_relaxed); }

Expected<std::unique_ptr<OpKernel>> prepare_nhwc_max_pool(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (!xt || !xt->is_tensor() || xt->elem != DType::kFloat32 || xt->rank() != 4) return decline();
  if (node.num_outputs() > 1 && node.outputs[1]) return decline();  // Indices: not produced here
  if (node.attr_int("storage_order", 0) != 0) return decline();
  const std::vector<int64_t> k = node.attr_ints("kernel_shape");
  if (k.size() != 2 || k[0] < 1 || k[1] < 1) return decline();
  const bool ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  // Validates strides / dilations / pads / auto_pad (sizes unknown here).
  auto g = forward_window(node, {-1, -1}, k, ceil_mode);
  if (!g || g->strides.size() != 2 || g->dilations.size() != 2) return decline();
  return std::unique_ptr<OpKernel>(std::make_unique<NhwcMaxPoolKernel>(k[0], k[1], ceil_mode));
}

}  // namespace kiln::cpu
