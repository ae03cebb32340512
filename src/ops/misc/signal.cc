// Shape inference for the signal-processing ops: DFT, STFT, the window functions and
// MelWeightMatrix.
#include "ops/misc/misc_ops.h"

namespace kiln {

namespace {

// A scalar (or one-element) integer constant input, when known.
std::optional<int64_t> constant_scalar_int(const InferContext& ctx, size_t input) {
  if (!ctx.has_input(input)) return std::nullopt;
  auto v = constant_ints(ctx, input);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

Expected<DType> output_datatype_attr(const InferContext& ctx, int64_t fallback) {
  int64_t code = ctx.node().attr_int("output_datatype", fallback);
  if (!dtype_is_valid(static_cast<int32_t>(code))) {
    return ctx.error("output_datatype {} is not a supported tensor type", code);
  }
  return static_cast<DType>(code);
}

}  // namespace

Status infer_dft(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (input) is required");
  const ir::TypeInfo& in = ctx.input_type(0);
  if (!in.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(in.elem));
    return Status::ok();
  }
  std::vector<ir::Dim> dims = *in.dims;
  const int64_t rank = static_cast<int64_t>(dims.size());
  if (rank < 2) return ctx.error("input must have rank >= 2 (batch..., 1 or 2), got rank {}", rank);
  const ir::Dim last = dims.back();
  if (last.known() && last.value != 1 && last.value != 2) {
    return ctx.error("last input dimension must be 1 (real) or 2 (complex), got {}", last.value);
  }
  // Opset 20 moved axis from an attribute (default 1) to input 2 (default -2).
  int64_t raw_axis = ctx.node().attr_int("axis", 1);
  if (ctx.opset() >= 20) {
    raw_axis = -2;
    if (ctx.has_input(2)) {
      auto a = constant_scalar_int(ctx, 2);
      if (!a) {  // axis unknown: only the rank and the last dim are known
        std::vector<ir::Dim> unknown(dims.size());
        unknown.back() = ir::Dim(2);
        ctx.set_output(0, ir::TypeInfo::tensor(in.elem, unknown));
        return Status::ok();
      }
      raw_axis = *a;
    }
  }
  KILN_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(raw_axis, rank));
  if (axis == rank - 1) return ctx.error("axis must not be the last (real/imaginary) dimension");
  ir::Dim n = dims[static_cast<size_t>(axis)];
  if (ctx.has_input(1)) {
    auto len = constant_scalar_int(ctx, 1);
    if (len) {
      if (*len < 1) return ctx.error("dft_length must be >= 1, got {}", *len);
      n = ir::Dim(*len);
    } else {
      n = ir::Dim();
    }
  }
  if (ctx.node().attr_int("onesided", 0) != 0) n = n.known() ? ir::Dim(n.value / 2 + 1) : ir::Dim();
  dims[static_cast<size_t>(axis)] = n;
  dims.back() = ir::Dim(2);
  ctx.set_output(0, ir::TypeInfo::tensor(in.elem, dims));
  return Status::ok();
}

Status infer_stft(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs signal and frame_step are required");
  const ir::TypeInfo& sig = ctx.input_type(0);
  std::vector<ir::Dim> out(4);
  out[3] = ir::Dim(2);
  if (sig.dims) {
    if (sig.dims->size() != 3) {
      return ctx.error("signal must have shape [batch, signal_length, 1 or 2], got rank {}", sig.dims->size());
    }
    out[0] = (*sig.dims)[0];
  }
  // frame_length: the input when given, else the window's length.
  std::optional<int64_t> frame_length;
  if (ctx.has_input(3)) {
    frame_length = constant_scalar_int(ctx, 3);
  } else if (ctx.has_input(2)) {
    const ir::TypeInfo& w = ctx.input_type(2);
    if (w.dims && w.dims->size() == 1 && (*w.dims)[0].known()) frame_length = (*w.dims)[0].value;
  }
  auto step = constant_scalar_int(ctx, 1);
  if (step && *step < 1) return ctx.error("frame_step must be >= 1, got {}", *step);
  if (frame_length && *frame_length < 1) return ctx.error("frame_length must be >= 1, got {}", *frame_length);
  if (frame_length && step && sig.dims && (*sig.dims)[1].known()) {
    int64_t len = (*sig.dims)[1].value;
    if (len < *frame_length) return ctx.error("signal length {} is shorter than frame_length {}", len, *frame_length);
    out[1] = ir::Dim((len - *frame_length) / *step + 1);
  }
  if (frame_length) {
    const bool onesided = ctx.node().attr_int("onesided", 1) != 0;
    out[2] = ir::Dim(onesided ? *frame_length / 2 + 1 : *frame_length);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(sig.elem, out));
  return Status::ok();
}

Status infer_window(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (size) is required");
  KILN_ASSIGN_OR_RETURN(DType dt, output_datatype_attr(ctx, 1));
  if (!dtype_is_float(dt) && !dtype_is_integer(dt)) {
    return ctx.error("output_datatype must be numeric, got {}", dtype_name(dt));
  }
  ir::Dim n;
  if (auto size = constant_scalar_int(ctx, 0)) {
    if (*size < 0) return ctx.error("size must be >= 0, got {}", *size);
    n = ir::Dim(*size);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(dt, {n}));
  return Status::ok();
}

Status infer_mel_weight_matrix(InferContext& ctx) {
  for (size_t i = 0; i < 5; ++i) {
    if (!ctx.has_input(i)) return ctx.error("input {} is required", i);
  }
  KILN_ASSIGN_OR_RETURN(DType dt, output_datatype_attr(ctx, 1));
  if (!dtype_is_float(dt) && !dtype_is_integer(dt)) {
    return ctx.error("output_datatype must be numeric, got {}", dtype_name(dt));
  }
  ir::Dim bins, mels;
  if (auto v = constant_scalar_int(ctx, 1)) {
    if (*v < 1) return ctx.error("dft_length must be >= 1, got {}", *v);
    bins = ir::Dim(*v / 2 + 1);
  }
  if (auto v = constant_scalar_int(ctx, 0)) {
    if (*v < 1) return ctx.error("num_mel_bins must be >= 1, got {}", *v);
    mels = ir::Dim(*v);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(dt, {bins, mels}));
  return Status::ok();
}

}  // namespace kiln
