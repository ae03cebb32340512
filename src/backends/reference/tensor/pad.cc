// Pad: constant / reflect / edge / wrap. Each output dim maps its coordinates to an input
// coordinate (or -1 = the constant) once; the copy then walks the output row by row.
#include <string>

#include "backends/reference/tensor/tensor_args.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

namespace {

// Input coordinate for output coordinate o of a dim of length n padded by `begin`, or -1.
int64_t source_index(int64_t o, int64_t begin, int64_t n, const std::string& mode) {
  int64_t i = o - begin;
  if (i >= 0 && i < n) return i;
  if (mode == "constant" || n == 0) return -1;
  if (mode == "edge") return i < 0 ? 0 : n - 1;
  if (mode == "wrap") return ((i % n) + n) % n;
  // reflect (mirror without repeating the edge)
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

}  // namespace

Status pad(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, ctx.opset() < 11 ? 1 : 2));
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  const std::string mode = ctx.node().attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    return ctx.error("mode '{}' is not one of constant, reflect, edge, wrap", mode);
  }
  KILN_ASSIGN_OR_RETURN(const PadArgs args, pad_args_of(ctx, rank));
  const std::vector<int64_t>& full = args.pads;
  Shape out(static_cast<size_t>(rank));
  std::vector<std::vector<int64_t>> maps(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) {
    const size_t ud = static_cast<size_t>(d);
    const int64_t begin = full[ud];
    out[ud] = x.dim(d) + begin + full[static_cast<size_t>(d + rank)];
    if (out[ud] < 0) return ctx.error("pads make axis {} of {} negative", d, x.describe());
    if (mode != "constant" && x.dim(d) == 0 && out[ud] > 0) {
      return ctx.error("mode '{}' cannot pad the empty axis {}", mode, d);
    }
    for (int64_t o = 0; o < out[ud]; ++o) maps[ud].push_back(source_index(o, begin, x.dim(d), mode));
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), out);
  const int64_t n = y.numel();
  if (n == 0) return Status::ok();
  const std::vector<int64_t> strides = shape_strides(x.shape());
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    T fill{};
    if (args.value_tensor && args.value_tensor->dtype() == x.dtype()) {
      fill = args.value_tensor->data<T>()[0];
    } else if constexpr (!std::is_same_v<T, std::string>) {
      fill = static_cast<T>(args.value_tensor ? args.value_tensor->as_double(0) : args.value);
    }
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    if (rank == 0) {
      dst[0] = src[0];
      return;
    }
    const size_t last = static_cast<size_t>(rank - 1);
    std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
    for (int64_t o = 0; o < n; o += out[last]) {
      // Offset of the row's input (or -1 when an outer coordinate falls in the padding).
      int64_t base = 0;
      for (size_t d = 0; d < last && base >= 0; ++d) {
        const int64_t s = maps[d][static_cast<size_t>(idx[d])];
        base = s < 0 ? -1 : base + s * strides[d];
      }
      for (int64_t j = 0; j < out[last]; ++j) {
        const int64_t s = maps[last][static_cast<size_t>(j)];
        dst[o + j] = (base < 0 || s < 0) ? fill : src[base + s];
      }
      for (int64_t d = static_cast<int64_t>(last) - 1; d >= 0; --d) {
        if (++idx[static_cast<size_t>(d)] < out[static_cast<size_t>(d)]) break;
        idx[static_cast<size_t>(d)] = 0;
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace kiln::reference
