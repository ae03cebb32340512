// Pad (constant / reflect / edge / wrap, any rank <= kMaxRank): every output row (all dims but the
// last) either is all padding (filled) or reads one input row: a memcpy of the kept middle plus
// the few padded elements at both ends.
#include <algorithm>
#include <string>

#include "backends/cpu/tensor/tensor_ops.h"
#include "backends/cpu/tensor/tensor_util.h"
#include "backends/reference/tensor/tensor_args.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "core/parallel.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::cpu::tensor {

namespace {

enum class Mode { kConstant, kReflect, kEdge, kWrap };

// Input coordinate for output coordinate o of a dim of length n padded by `begin`, or -1 (the
// constant). Same rule as the reference kernel.
inline int64_t source_index(int64_t o, int64_t begin, int64_t n, Mode mode) {
  int64_t i = o - begin;
  if (i >= 0 && i < n) return i;
  if (mode == Mode::kConstant || n == 0) return -1;
  if (mode == Mode::kEdge) return i < 0 ? 0 : n - 1;
  if (mode == Mode::kWrap) return ((i % n) + n) % n;
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

template <typename E>
void pad_row(const E* src, int64_t n, E* dst, int64_t out_n, int64_t begin, Mode mode, E fill) {
  if (!src) {
    for (int64_t j = 0; j < out_n; ++j) dst[j] = fill;
    return;
  }
  const int64_t lo = std::clamp<int64_t>(begin, 0, out_n), hi = std::clamp<int64_t>(begin + n, lo, out_n);
  for (int64_t j = 0; j < lo; ++j) {
    const int64_t s = source_index(j, begin, n, mode);
    dst[j] = s < 0 ? fill : src[s];
  }
  if (hi > lo) std::memcpy(dst + lo, src + (lo - begin), static_cast<size_t>(hi - lo) * sizeof(E));
  for (int64_t j = hi; j < out_n; ++j) {
    const int64_t s = source_index(j, begin, n, mode);
    dst[j] = s < 0 ? fill : src[s];
  }
}

template <typename E>
void pad_all(const E* src, E* dst, int rank, const int64_t* in, const int64_t* out, const int64_t* begin,
             Mode mode, E fill) {
  int64_t istr[kMaxRank];
  for (int64_t d = rank - 1, s = 1; d >= 0; --d) {
    istr[d] = s;
    s *= in[d];
  }
  const int last = rank - 1;
  int64_t rows = 1;
  for (int d = 0; d < last; ++d) rows *= out[d];
  const int64_t out_n = out[last];
  int64_t rstr[kMaxRank];  // rows per step of output dim d (d < last)
  {
    int64_t p = 1;
    for (int d = last - 1; d >= 0; --d) {
      rstr[d] = p;
      p *= out[d];
    }
  }
  const bool empty_input = [&] {
    for (int d = 0; d < rank; ++d) {
      if (in[d] == 0) return true;
    }
    return false;
  }();
  parallel_for(
      rows,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t base = empty_input ? -1 : 0;
          for (int d = last - 1; d >= 0 && base >= 0; --d) {
            const int64_t s = source_index((r / rstr[d]) % out[d], begin[d], in[d], mode);
            base = s < 0 ? -1 : base + s * istr[d];
          }
          pad_row(base < 0 ? nullptr : src + base, in[last], dst + r * out_n, out_n, begin[last], mode, fill);
        }
      },
      std::max<int64_t>(1, kParallelBytes / std::max<int64_t>(1, out_n * static_cast<int64_t>(sizeof(E)))));
}

Status pad_run(KernelContext& ctx) {
  if (!ctx.has_input(0) || !ctx.input_value(0).is_tensor()) return reference::pad(ctx);
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  const std::string mode_name = ctx.node().attr_string("mode", "constant");
  Mode mode;
  if (mode_name == "constant") mode = Mode::kConstant;
  else if (mode_name == "reflect") mode = Mode::kReflect;
  else if (mode_name == "edge") mode = Mode::kEdge;
  else if (mode_name == "wrap") mode = Mode::kWrap;
  else return reference::pad(ctx);
  if (!is_pod(x.dtype()) || rank == 0 || rank > kMaxRank) return reference::pad(ctx);
  auto args = reference::pad_args_of(ctx, rank);
  if (!args) return reference::pad(ctx);  // it reports the problem the same way
  const std::vector<int64_t>& full = args->pads;
  int64_t in[kMaxRank], out[kMaxRank], begin[kMaxRank];
  Shape out_shape(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) {
    const size_t ud = static_cast<size_t>(d);
    in[d] = x.dim(d);
    begin[d] = full[ud];
    out[d] = in[d] + begin[d] + full[static_cast<size_t>(d + rank)];
    if (out[d] < 0 || (mode != Mode::kConstant && in[d] == 0 && out[d] > 0)) return reference::pad(ctx);
    out_shape[ud] = out[d];
  }
  Tensor& y = ctx.allocate_output_uninit(0, x.dtype(), out_shape);
  if (y.numel() == 0) return Status::ok();
  KILN_DISPATCH_POD(x.dtype(), T, {
    T fill{};
    if (args->value_tensor && args->value_tensor->dtype() == x.dtype()) fill = args->value_tensor->data<T>()[0];
    else fill = static_cast<T>(args->value_tensor ? args->value_tensor->as_double(0) : args->value);
    pad_all<T>(x.data<T>(), y.data<T>(), static_cast<int>(rank), in, out, begin, mode, fill);
  });
  return Status::ok();
}

}  // namespace

Prepared prepare_pad(const PrepareContext& pctx) {
  if (!input_dtype_ok(pctx, 0, is_pod)) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<FnKernel>(pad_run));
}

}  // namespace kiln::cpu::tensor
