#include "backends/cpu/dnnl/batched_gemm.h"

#include "backends/cpu/dnnl/dnnl_common.h"

namespace kiln::cpu::onednn {

struct BatchedGemm::Impl {
  dnnl::matmul prim;
  dnnl::memory::desc a_md, b_md, c_md, scratch_md;
  size_t scratch = 0;
};

BatchedGemm::BatchedGemm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BatchedGemm::~BatchedGemm() = default;

Expected<std::unique_ptr<BatchedGemm>> BatchedGemm::create(int64_t batch, int64_t m, int64_t k, int64_t n, int64_t ldb) {
  if (batch < 1 || m < 1 || k < 1 || n < 1 || ldb < n) {
    return invalid_argument("batched GEMM {}x[{}x{}]x[{}x{}] (ldb {}) has an empty or inconsistent dimension", batch, m, k, k, n, ldb);
  }
  auto impl = std::make_unique<Impl>();
  try {
    const auto f32 = dnnl::memory::data_type::f32;
    impl->a_md = plain_f32({batch, m, k});
    impl->b_md = dnnl::memory::desc({batch, k, n}, f32, dnnl::memory::dims{k * ldb, ldb, 1});
    impl->c_md = plain_f32({batch, m, n});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(impl->a_md, impl->b_md, impl->c_md), base_attr(), engine());
    impl->prim = dnnl::matmul(pd);
    impl->scratch_md = pd.scratchpad_desc();
    impl->scratch = impl->scratch_md.get_size();
  } catch (const dnnl::error& e) {
    return unsupported("oneDNN has no batched matmul for {}x[{}x{}]x[{}x{}]: {}", batch, m, k, k, n, e.what());
  }
  return std::unique_ptr<BatchedGemm>(new BatchedGemm(std::move(impl)));
}

Status BatchedGemm::run(KernelContext& ctx, const float* a, const float* b, float* c) const {
  std::unordered_map<int, dnnl::memory> args = {{DNNL_ARG_SRC, wrap(impl_->a_md, a)},
                                                {DNNL_ARG_WEIGHTS, wrap(impl_->b_md, b)},
                                                {DNNL_ARG_DST, wrap(impl_->c_md, c)}};
  if (impl_->scratch > 0) args.insert({DNNL_ARG_SCRATCHPAD, wrap(impl_->scratch_md, nullptr)});
  return execute_args(ctx, impl_->prim, args, impl_->scratch);
}

}  // namespace kiln::cpu::onednn
