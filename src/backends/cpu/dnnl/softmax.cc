// Softmax and LogSoftmax (fp32) on oneDNN softmax_v2. The input is viewed as [outer, n, inner]
// with the softmax over n: from opset 13 n is the one `axis` (default -1); before, the input is
// coerced to 2-D at `axis` (default 1), so n is the product of the dims from `axis` on and inner
// is 1. Scalars and empty tensors run the reference kernel.
#include <map>
#include <mutex>
#include <unordered_map>

#include "backends/cpu/dnnl/dnnl_common.h"
#include "backends/cpu/dnnl/matmul_kernels.h"
#include "backends/reference/reduction/reduction_kernels.h"

namespace kiln::cpu {

namespace {

using dnnl::memory;

class SoftmaxKernel : public OpKernel {
 public:
  bool log = false;
  int64_t axis = -1;
  bool coerce_2d = false;  // opset < 13
  KernelFn fallback = nullptr;

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    if (x.dtype() != DType::kFloat32 || rank == 0 || x.numel() == 0) return fallback(ctx);
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a > rank || (!coerce_2d && a == rank)) return fallback(ctx);  // the reference names the error
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i) {
      const int64_t d = x.dim(i);
      if (i < a) outer *= d;
      else if (i == a || coerce_2d) n *= d;
      else inner *= d;
    }
    const Entry* e = entry({outer, n, inner});
    if (!e) return fallback(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, x.shape());
    auto& eng = onednn::engine();
    std::unordered_map<int, memory> args;
    args.insert({DNNL_ARG_SRC, memory(e->md, eng, const_cast<float*>(x.data<float>()))});
    args.insert({DNNL_ARG_DST, memory(e->md, eng, y.data<float>())});
    if (e->scratch > 0) args.insert({DNNL_ARG_SCRATCHPAD, onednn::wrap(e->scratch_md, nullptr)});
    return onednn::execute_args(ctx, e->prim, args, e->scratch);
  }

 private:
  struct Entry {
    dnnl::softmax_v2_forward prim;
    memory::desc md, scratch_md;
    size_t scratch = 0;
  };

  const Entry* entry(const memory::dims& dims) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(dims);
    if (it != cache_.end()) return it->second.get();
    std::unique_ptr<Entry> e = std::make_unique<Entry>();
    try {
      // inner == 1 (the usual last-axis case): a dense 2-D problem, the fast JIT path.
      e->md = dims[2] == 1 ? onednn::plain_f32({dims[0], dims[1]}) : onednn::plain_f32(dims);
      const auto alg = log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
      dnnl::softmax_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, e->md, e->md, 1);
      dnnl::softmax_v2_forward::primitive_desc pd(d, onednn::base_attr(), onednn::engine());
      e->prim = dnnl::softmax_v2_forward(pd);
      e->scratch_md = pd.scratchpad_desc();
      e->scratch = e->scratch_md.get_size();
    } catch (const dnnl::error&) {
      e = nullptr;
    }
    const Entry* p = e.get();
    cache_[dims] = std::move(e);
    return p;
  }

  mutable std::mutex mu_;
  mutable std::map<memory::dims, std::unique_ptr<Entry>> cache_;
};

Expected<std::unique_ptr<OpKernel>> prepare(const PrepareContext& pctx, bool log) {
  const ir::TypeInfo* t = pctx.input_type(0);
  if (!t || !t->is_tensor() || t->elem != DType::kFloat32 || pctx.node.num_outputs() != 1) return onednn::decline();
  auto k = std::make_unique<SoftmaxKernel>();
  k->log = log;
  k->coerce_2d = pctx.node.opset < 13;
  k->axis = pctx.node.attr_int("axis", k->coerce_2d ? 1 : -1);
  k->fallback = log ? reference::log_softmax : reference::softmax;
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_softmax(const PrepareContext& pctx) { return prepare(pctx, false); }
Expected<std::unique_ptr<OpKernel>> prepare_log_softmax(const PrepareContext& pctx) { return prepare(pctx, true); }

}  // namespace kiln::cpu
