// Shared pieces of the CPU backend's tensor family (data movement, resize, reductions): a
// prepared kernel that wraps a plain function, dtype checks, and the strided / parallel copies
// that Transpose, Slice, Expand, Concat and friends are built from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "backends/kernel.h"

namespace kiln::cpu::tensor {

// Ranks above this are left to the reference kernels (fixed-size index arrays keep the hot path
// free of allocations).
inline constexpr int kMaxRank = 8;
// Below this many bytes of output a kernel runs on one thread: an OpenMP fork costs ~2-5 us.
inline constexpr int64_t kParallelBytes = 64 * 1024;

// A kernel without prepared state: run() calls `fn`. The functions hand configurations only known
// at run time to be outside their fast paths (an unusual dtype or rank) to the reference kernel.
class FnKernel : public OpKernel {
 public:
  explicit FnKernel(KernelFn fn) : fn_(fn) {}
  Status run(KernelContext& ctx) const override { return fn_(ctx); }

 private:
  KernelFn fn_;
};

template <KernelFn F>
Expected<std::unique_ptr<OpKernel>> prepare_fn(const PrepareContext&) {
  return std::unique_ptr<OpKernel>(std::make_unique<FnKernel>(F));
}

// Element types our byte-moving kernels copy with memcpy (everything but strings).
inline bool is_pod(DType t) { return t != DType::kString && t != DType::kUndefined; }

// True when the static type of input i is a tensor whose dtype is known and passes `ok`, or is
// not known yet (the run-time check then decides).
template <typename Pred>
bool input_dtype_ok(const PrepareContext& pctx, size_t i, Pred ok) {
  const ir::TypeInfo* t = pctx.input_type(i);
  if (!t) return true;
  if (t->kind != ir::TypeInfo::Kind::kTensor && t->kind != ir::TypeInfo::Kind::kUnknown) return false;
  return t->elem == DType::kUndefined || ok(t->elem);
}

// A strided read of a source into a contiguous destination, in bytes. Dims are already
// simplified by the caller; strides are in elements of `esize` bytes.
struct StridedCopy {
  int rank = 0;
  int64_t shape[kMaxRank] = {};
  int64_t stride[kMaxRank] = {};  // source stride per dim, elements (0 = broadcast)
};

// dst (contiguous, row-major over c.shape) = src viewed through c. Merges dims where possible,
// uses memcpy when the innermost source dim is contiguous, runs on several threads when large.
void strided_copy(const void* src, void* dst, size_t esize, StridedCopy c);

// memcpy split across threads when it is large enough to pay.
void parallel_memcpy(void* dst, const void* src, size_t bytes);

}  // namespace kiln::cpu::tensor
