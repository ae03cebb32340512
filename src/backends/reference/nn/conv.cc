// Conv, ConvInteger, QLinearConv and ConvTranspose: N-d im2col / col2im around the shared GEMM.
#include <vector>

#include "backends/reference/nn/gemm_util.h"
#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/nn/quant_util.h"
#include "ops/nn/window_geometry.h"

namespace kiln::reference {

namespace {

// Everything a convolution needs besides data pointers.
struct ConvPlan {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  Shape in_spatial, out_spatial;
  WindowGeometry geo;
  int64_t in_size() const { return shape_numel(in_spatial); }
  int64_t out_size() const { return shape_numel(out_spatial); }
  int64_t kernel_size() const { return shape_numel(geo.kernel); }
};

// Reads group / kernel_shape and checks X [N, C, ...] against W. For ConvTranspose, W is
// [C, M/group, k...]; for Conv, W is [M, C/group, k...].
Expected<ConvPlan> make_plan(KernelContext& ctx, const Tensor& x, const Tensor& w, bool transpose) {
  ConvPlan p;
  if (x.rank() < 3) return ctx.error("input X must have rank >= 3, got {}", x.describe());
  if (w.rank() != x.rank()) return ctx.error("weights W {} must have the rank of X {}", w.describe(), x.describe());
  p.group = ctx.node().attr_int("group", 1);
  if (p.group < 1) return ctx.error("group {} must be >= 1", p.group);
  p.batch = x.dim(0);
  p.in_channels = x.dim(1);
  p.in_spatial.assign(x.shape().begin() + 2, x.shape().end());
  if (p.in_channels % p.group != 0) return ctx.error("input channels {} not divisible by group {}", p.in_channels, p.group);
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  std::vector<int64_t> attr_kernel = ctx.node().attr_ints("kernel_shape");
  if (!attr_kernel.empty() && attr_kernel != kernel) {
    return ctx.error("kernel_shape {} does not match weights {}", shape_str(attr_kernel), w.describe());
  }
  if (!transpose) {
    p.out_channels = w.dim(0);
    if (w.dim(1) * p.group != p.in_channels) {
      return ctx.error("weights {} expect {} input channels per group, X has {} channels in {} groups", w.describe(), w.dim(1), p.in_channels, p.group);
    }
    if (p.out_channels % p.group != 0) return ctx.error("output channels {} not divisible by group {}", p.out_channels, p.group);
    auto g = forward_window(ctx.node(), p.in_spatial, kernel, false);
    if (!g) return g.status();
    p.geo = *g;
  } else {
    if (w.dim(0) != p.in_channels) return ctx.error("weights {} expect {} input channels, X has {}", w.describe(), w.dim(0), p.in_channels);
    p.out_channels = w.dim(1) * p.group;
    auto g = transpose_window(ctx.node(), p.in_spatial, kernel);
    if (!g) return g.status();
    p.geo = *g;
  }
  p.out_spatial = p.geo.out;
  return p;
}

// Calls f(outer_index_vector) for each position of `shape` except the last axis, in row-major
// order. Used to walk spatial positions with a contiguous innermost loop.
template <typename F>
void for_each_row(const Shape& shape, F&& f) {
  size_t n = shape.size();
  std::vector<int64_t> idx(n, 0);
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < n; ++d) rows *= shape[d];
  for (int64_t r = 0; r < rows; ++r) {
    f(idx);
    for (size_t d = n - 1; d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

// Unrolls one group's input [C_g, in...] into col [C_g * K, P] (zero where the window is in the
// padding).
template <typename T>
void im2col(const ConvPlan& p, int64_t channels, const T* x, T* col) {
  const WindowGeometry& g = p.geo;
  size_t n = p.in_spatial.size();
  int64_t K = p.kernel_size(), P = p.out_size(), in_size = p.in_size();
  int64_t out_last = p.out_spatial[n - 1], in_last = p.in_spatial[n - 1];
  std::vector<int64_t> in_strides = shape_strides(p.in_spatial);
  std::vector<int64_t> kidx(n, 0);
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * in_size;
    for (int64_t k = 0; k < K; ++k) {
      // kernel multi-index of k
      for (size_t d = n, rem = static_cast<size_t>(k); d-- > 0;) {
        kidx[d] = static_cast<int64_t>(rem) % g.kernel[d];
        rem /= static_cast<size_t>(g.kernel[d]);
      }
      T* row = col + (c * K + k) * P;
      int64_t pos = 0;
      for_each_row(p.out_spatial, [&](const std::vector<int64_t>& o) {
        int64_t base = 0;
        bool inside = true;
        for (size_t d = 0; d + 1 < n; ++d) {
          int64_t i = o[d] * g.strides[d] - g.pads_begin[d] + kidx[d] * g.dilations[d];
          if (i < 0 || i >= p.in_spatial[d]) inside = false;
          base += i * in_strides[d];
        }
        T* dst = row + pos;
        pos += out_last;
        if (!inside) {
          std::fill(dst, dst + out_last, T(0));
          return;
        }
        int64_t s = g.strides[n - 1];
        int64_t start = kidx[n - 1] * g.dilations[n - 1] - g.pads_begin[n - 1];
        for (int64_t j = 0; j < out_last; ++j) {
          int64_t i = j * s + start;
          dst[j] = (i >= 0 && i < in_last) ? xc[base + i] : T(0);
        }
      });
    }
  }
}

// Y[N, M, out...] = conv(X, W) + B for T in {float, double, int32}.
template <typename T>
void conv_forward(const ConvPlan& p, const T* x, const T* w, const T* bias, T* y) {
  int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group;
  int64_t K = p.kernel_size(), P = p.out_size(), in_size = p.in_size();
  int64_t rows = cg * K;
  std::vector<T> col(static_cast<size_t>(rows * P));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t g = 0; g < p.group; ++g) {
      im2col(p, cg, x + (n * p.in_channels + g * cg) * in_size, col.data());
      T* yg = y + (n * p.out_channels + g * mg) * P;
      gemm_accumulate<T>(false, false, mg, P, rows, T(1), w + g * mg * rows, rows, col.data(), P, yg, P);
      if (bias) {
        for (int64_t m = 0; m < mg; ++m) {
          T b = bias[g * mg + m];
          for (int64_t i = 0; i < P; ++i) yg[m * P + i] += b;
        }
      }
    }
  }
}

// ConvTranspose: col = W_g^T X_g, then col2im scatters each column back into Y.
template <typename T>
void conv_transpose_forward(const ConvPlan& p, const T* x, const T* w, const T* bias, T* y) {
  const WindowGeometry& geo = p.geo;
  size_t nd = p.in_spatial.size();
  int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group;
  int64_t K = p.kernel_size(), in_size = p.in_size(), P = p.out_size();
  int64_t rows = mg * K;
  std::vector<T> col(static_cast<size_t>(rows * in_size));
  std::vector<int64_t> out_strides = shape_strides(p.out_spatial);
  std::vector<int64_t> kidx(nd), iidx(nd);
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t g = 0; g < p.group; ++g) {
      std::fill(col.begin(), col.end(), T(0));
      gemm_accumulate<T>(true, false, rows, in_size, cg, T(1), w + g * cg * rows, rows,
                         x + (n * p.in_channels + g * cg) * in_size, in_size, col.data(), in_size);
      T* yg = y + (n * p.out_channels + g * mg) * P;
      for (int64_t r = 0; r < rows; ++r) {
        int64_t m = r / K, k = r % K;
        for (size_t d = nd, rem = static_cast<size_t>(k); d-- > 0;) {
          kidx[d] = static_cast<int64_t>(rem) % geo.kernel[d];
          rem /= static_cast<size_t>(geo.kernel[d]);
        }
        const T* src = col.data() + r * in_size;
        for (int64_t i = 0; i < in_size; ++i) {
          int64_t off = 0;
          bool inside = true;
          for (size_t d = nd, rem = static_cast<size_t>(i); d-- > 0;) {
            int64_t id = static_cast<int64_t>(rem) % p.in_spatial[d];
            rem /= static_cast<size_t>(p.in_spatial[d]);
            int64_t o = id * geo.strides[d] + kidx[d] * geo.dilations[d] - geo.pads_begin[d];
            if (o < 0 || o >= p.out_spatial[d]) inside = false;
            off += o * out_strides[d];
          }
          if (inside) yg[m * P + off] += src[i];
        }
      }
      if (bias) {
        for (int64_t m = 0; m < mg; ++m) {
          T b = bias[g * mg + m];
          for (int64_t i = 0; i < P; ++i) yg[m * P + i] += b;
        }
      }
    }
  }
}

Status check_bias(KernelContext& ctx, size_t index, int64_t channels) {
  if (!ctx.has_input(index)) return Status::ok();
  const Tensor& b = ctx.input(index);
  if (b.rank() != 1 || b.dim(0) != channels) {
    return ctx.error("bias B must be 1-D of length {} (output channels), got {}", channels, b.describe());
  }
  return Status::ok();
}

Status float_conv(KernelContext& ctx, bool transpose) {
  const Tensor& x0 = ctx.input(0);
  const Tensor& w0 = ctx.input(1);
  if (!dtype_is_float(x0.dtype())) return ctx.unsupported_error("dtype {} is not supported", dtype_name(x0.dtype()));
  if (w0.dtype() != x0.dtype()) return ctx.error("W dtype {} differs from X dtype {}", dtype_name(w0.dtype()), dtype_name(x0.dtype()));
  KILN_ASSIGN_OR_RETURN(ConvPlan p, make_plan(ctx, x0, w0, transpose));
  KILN_TRY(check_bias(ctx, 2, p.out_channels));
  Tensor x = to_compute(x0), w = to_compute(w0);
  Tensor b = ctx.has_input(2) ? to_compute(ctx.input(2)) : Tensor();
  Shape out_shape{p.batch, p.out_channels};
  out_shape.insert(out_shape.end(), p.out_spatial.begin(), p.out_spatial.end());
  Tensor y(compute_dtype(x0.dtype()), out_shape);
  if (y.numel() > 0 && x.numel() > 0) {
    if (x.dtype() == DType::kFloat64) {
      const double* bp = b.valid() ? b.data<double>() : nullptr;
      if (transpose) conv_transpose_forward<double>(p, x.data<double>(), w.data<double>(), bp, y.data<double>());
      else conv_forward<double>(p, x.data<double>(), w.data<double>(), bp, y.data<double>());
    } else {
      const float* bp = b.valid() ? b.data<float>() : nullptr;
      if (transpose) conv_transpose_forward<float>(p, x.data<float>(), w.data<float>(), bp, y.data<float>());
      else conv_forward<float>(p, x.data<float>(), w.data<float>(), bp, y.data<float>());
    }
  }
  ctx.set_output(0, is_half(x0.dtype()) ? cast_tensor(y, x0.dtype()) : y);
  return Status::ok();
}

// Integer convolution of (X - x_zp) and (W - w_zp) in int32; w_zp may be per output channel.
Expected<Tensor> integer_conv(KernelContext& ctx, size_t xi, size_t xzi, size_t wi, size_t wzi, ConvPlan* plan) {
  const Tensor& x0 = ctx.input(xi);
  const Tensor& w0 = ctx.input(wi);
  if (!dtype_is_integer(x0.dtype()) || !dtype_is_integer(w0.dtype())) {
    return ctx.error("X and W must be 8-bit integers, got {} and {}", dtype_name(x0.dtype()), dtype_name(w0.dtype()));
  }
  KILN_ASSIGN_OR_RETURN(ConvPlan p, make_plan(ctx, x0, w0, false));
  const Tensor* xz = ctx.has_input(xzi) ? &ctx.input(xzi) : nullptr;
  const Tensor* wz = ctx.has_input(wzi) ? &ctx.input(wzi) : nullptr;
  if (xz && xz->numel() > 1) return ctx.error("x_zero_point must be a scalar, got {}", xz->describe());
  Tensor x = subtract_zero_point(x0, xz, 1);
  Tensor w = subtract_zero_point(w0, wz, 0);
  if (!w.valid()) return ctx.error("w_zero_point {} must be a scalar or have one value per output channel", wz->describe());
  Shape out_shape{p.batch, p.out_channels};
  out_shape.insert(out_shape.end(), p.out_spatial.begin(), p.out_spatial.end());
  Tensor y(DType::kInt32, out_shape);
  if (y.numel() > 0 && x.numel() > 0) conv_forward<int32_t>(p, x.data<int32_t>(), w.data<int32_t>(), nullptr, y.data<int32_t>());
  *plan = p;
  return y;
}

}  // namespace

Status conv(KernelContext& ctx) { return float_conv(ctx, false); }
Status conv_transpose(KernelContext& ctx) { return float_conv(ctx, true); }

Status conv_integer(KernelContext& ctx) {
  ConvPlan p;
  KILN_ASSIGN_OR_RETURN(Tensor y, integer_conv(ctx, 0, 2, 1, 3, &p));
  ctx.set_output(0, y);
  return Status::ok();
}

// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B (int32).
Status qlinear_conv(KernelContext& ctx) {
  ConvPlan p;
  KILN_ASSIGN_OR_RETURN(Tensor acc, integer_conv(ctx, 0, 2, 3, 5, &p));
  KILN_TRY(check_bias(ctx, 8, p.out_channels));
  const Tensor& xs = ctx.input(1);
  const Tensor& ws = ctx.input(4);
  const Tensor& ys = ctx.input(6);
  DType out_dtype = ctx.has_input(7) ? ctx.input(7).dtype() : ctx.input(0).dtype();
  double yz = ctx.has_input(7) ? static_cast<double>(ctx.input(7).as_int64(0)) : 0.0;
  if (ws.numel() != 1 && ws.numel() != p.out_channels) {
    return ctx.error("w_scale {} must be a scalar or have {} values", ws.describe(), p.out_channels);
  }
  Tensor y(out_dtype, acc.shape());
  const int32_t* a = acc.data<int32_t>();
  int64_t P = p.out_size();
  for (int64_t i = 0; i < acc.numel(); ++i) {
    int64_t m = (i / P) % p.out_channels;
    float scale = static_cast<float>(xs.as_double(0)) * static_cast<float>(ws.as_double(ws.numel() == 1 ? 0 : m)) /
                  static_cast<float>(ys.as_double(0));
    int64_t v = a[i] + (ctx.has_input(8) ? ctx.input(8).as_int64(m) : 0);
    store_int(y, i, round_saturate(static_cast<double>(v) * scale + yz, out_dtype));
  }
  ctx.set_output(0, y);
  return Status::ok();
}

}  // namespace kiln::reference
