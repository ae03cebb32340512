// Signal-processing kernels: DFT, STFT, the Blackman/Hamming/Hann windows and MelWeightMatrix.
// Transforms are direct O(n^2) sums in double precision with exact twiddle indices (j*k mod n).
#include <cmath>
#include <numbers>
#include <vector>

#include "backends/reference/misc/misc_kernels.h"

namespace kiln::reference {

namespace {

// A scalar integer input (int32/int64, any single element).
Expected<int64_t> scalar_int(KernelContext& ctx, size_t i, const char* name) {
  const Tensor& t = ctx.input(i);
  if (!dtype_is_integer(t.dtype()) || t.numel() != 1) {
    return ctx.error("{} must be an integer scalar, got {}", name, t.describe());
  }
  return t.as_int64(0);
}

// Direct DFT of a complex sequence (re, im) of length n; writes `bins` outputs.
void dft_1d(const std::vector<double>& re, const std::vector<double>& im, int64_t bins, bool inverse,
            std::vector<double>& out_re, std::vector<double>& out_im) {
  const int64_t n = static_cast<int64_t>(re.size());
  const double sign = inverse ? 1.0 : -1.0;
  std::vector<double> cos_t(static_cast<size_t>(n)), sin_t(static_cast<size_t>(n));
  for (int64_t m = 0; m < n; ++m) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(n);
    cos_t[static_cast<size_t>(m)] = std::cos(angle);
    sin_t[static_cast<size_t>(m)] = sign * std::sin(angle);
  }
  out_re.assign(static_cast<size_t>(bins), 0.0);
  out_im.assign(static_cast<size_t>(bins), 0.0);
  for (int64_t k = 0; k < bins; ++k) {
    double sr = 0, si = 0;
    for (int64_t j = 0; j < n; ++j) {
      const size_t m = static_cast<size_t>((j * k) % n);
      const double c = cos_t[m], s = sin_t[m];
      sr += re[static_cast<size_t>(j)] * c - im[static_cast<size_t>(j)] * s;
      si += re[static_cast<size_t>(j)] * s + im[static_cast<size_t>(j)] * c;
    }
    if (inverse) {
      sr /= static_cast<double>(n);
      si /= static_cast<double>(n);
    }
    out_re[static_cast<size_t>(k)] = sr;
    out_im[static_cast<size_t>(k)] = si;
  }
}

enum class WindowKind { kBlackman, kHamming, kHann };

Status window(KernelContext& ctx, WindowKind kind) {
  KILN_ASSIGN_OR_RETURN(int64_t size, scalar_int(ctx, 0, "size"));
  if (size < 0) return ctx.error("size must be >= 0, got {}", size);
  const DType dt = static_cast<DType>(ctx.node().attr_int("output_datatype", 1));
  const bool periodic = ctx.node().attr_int("periodic", 1) != 0;
  const double n_denom = static_cast<double>(periodic ? size : size - 1);
  std::vector<double> w(static_cast<size_t>(size), 1.0);
  for (int64_t i = 0; i < size && n_denom > 0; ++i) {
    const double x = 2.0 * std::numbers::pi * static_cast<double>(i) / n_denom;
    double v = 0;
    switch (kind) {
      case WindowKind::kBlackman: v = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2.0 * x); break;
      case WindowKind::kHamming: v = 25.0 / 46.0 - (21.0 / 46.0) * std::cos(x); break;
      case WindowKind::kHann: v = 0.5 - 0.5 * std::cos(x); break;
    }
    w[static_cast<size_t>(i)] = v;
  }
  Tensor* out = nullptr;
  bool handled = KILN_DISPATCH_NUMERIC(dt, T, {
    out = &ctx.allocate_output(0, dt, {size});
    T* y = out->data<T>();
    for (int64_t i = 0; i < size; ++i) y[i] = misc_store<T>(w[static_cast<size_t>(i)]);
  });
  if (!handled) return ctx.error("output_datatype {} is not a numeric type", static_cast<int>(dt));
  return Status::ok();
}

}  // namespace

Status dft(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  if (rank < 2) return ctx.error("input must have rank >= 2, got {}", x.describe());
  const int64_t comps = x.dim(rank - 1);
  if (comps != 1 && comps != 2) return ctx.error("last input dimension must be 1 or 2, got {}", comps);
  // Opset 20 moved axis from an attribute (default 1) to input 2 (default -2).
  int64_t raw_axis = ctx.node().attr_int("axis", 1);
  if (ctx.opset() >= 20) {
    raw_axis = -2;
    if (ctx.has_input(2)) {
      KILN_ASSIGN_OR_RETURN(raw_axis, scalar_int(ctx, 2, "axis"));
    }
  }
  KILN_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(raw_axis, rank));
  if (axis == rank - 1) return ctx.error("axis must not be the last (real/imaginary) dimension");
  const bool inverse = ctx.node().attr_int("inverse", 0) != 0;
  const bool onesided = ctx.node().attr_int("onesided", 0) != 0;
  const int64_t len = x.dim(axis);
  int64_t n = len;
  if (ctx.has_input(1)) {
    KILN_ASSIGN_OR_RETURN(n, scalar_int(ctx, 1, "dft_length"));
    if (n < 1) return ctx.error("dft_length must be >= 1, got {}", n);
  }
  const int64_t bins = onesided ? n / 2 + 1 : n;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < rank - 1; ++d) inner *= x.dim(d);
  Shape out_shape = x.shape();
  out_shape[static_cast<size_t>(axis)] = bins;
  out_shape.back() = 2;
  Status st = Status::ok();
  bool handled = KILN_DISPATCH_FLOAT(x.dtype(), T, {
    Tensor& out = ctx.allocate_output(0, x.dtype(), out_shape);
    const T* px = x.data<T>();
    T* py = out.data<T>();
    std::vector<double> re(static_cast<size_t>(n)), im(static_cast<size_t>(n)), ore, oim;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          const bool in_range = j < len;
          const int64_t base = ((o * len + j) * inner + i) * comps;
          re[static_cast<size_t>(j)] = in_range ? misc_load(px[base]) : 0.0;
          im[static_cast<size_t>(j)] = in_range && comps == 2 ? misc_load(px[base + 1]) : 0.0;
        }
        dft_1d(re, im, bins, inverse, ore, oim);
        for (int64_t k = 0; k < bins; ++k) {
          const int64_t base = ((o * bins + k) * inner + i) * 2;
          py[base] = misc_store<T>(ore[static_cast<size_t>(k)]);
          py[base + 1] = misc_store<T>(oim[static_cast<size_t>(k)]);
        }
      }
    }
  });
  if (!handled) return ctx.error("input must be a float tensor, got {}", x.describe());
  return st;
}

Status stft(KernelContext& ctx) {
  const Tensor& sig = ctx.input(0);
  if (sig.rank() != 3 || (sig.dim(2) != 1 && sig.dim(2) != 2)) {
    return ctx.error("signal must be [batch, signal_length, 1 or 2], got {}", sig.describe());
  }
  KILN_ASSIGN_OR_RETURN(int64_t step, scalar_int(ctx, 1, "frame_step"));
  if (step < 1) return ctx.error("frame_step must be >= 1, got {}", step);
  const bool has_window = ctx.has_input(2);
  int64_t frame_length = -1;
  if (has_window) {
    const Tensor& w = ctx.input(2);
    if (w.rank() != 1) return ctx.error("window must be 1-D, got {}", w.describe());
    frame_length = w.dim(0);
  }
  if (ctx.has_input(3)) {
    KILN_ASSIGN_OR_RETURN(int64_t fl, scalar_int(ctx, 3, "frame_length"));
    if (has_window && fl != frame_length) {
      return ctx.error("frame_length {} differs from the window length {}", fl, frame_length);
    }
    frame_length = fl;
  }
  if (frame_length < 1) return ctx.error("needs a window or a frame_length >= 1");
  const int64_t batch = sig.dim(0), len = sig.dim(1), comps = sig.dim(2);
  if (len < frame_length) return ctx.error("signal length {} is shorter than frame_length {}", len, frame_length);
  const int64_t frames = (len - frame_length) / step + 1;
  const bool onesided = ctx.node().attr_int("onesided", 1) != 0;
  const int64_t bins = onesided ? frame_length / 2 + 1 : frame_length;
  std::vector<double> win(static_cast<size_t>(frame_length), 1.0);
  if (has_window) {
    const Tensor& w = ctx.input(2);
    if (!dtype_is_float(w.dtype())) return ctx.error("window must be a float tensor, got {}", w.describe());
    for (int64_t j = 0; j < frame_length; ++j) win[static_cast<size_t>(j)] = w.as_double(j);
  }
  bool handled = KILN_DISPATCH_FLOAT(sig.dtype(), T, {
    Tensor& out = ctx.allocate_output(0, sig.dtype(), {batch, frames, bins, 2});
    const T* px = sig.data<T>();
    T* py = out.data<T>();
    std::vector<double> re(static_cast<size_t>(frame_length)), im(static_cast<size_t>(frame_length)), ore, oim;
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t f = 0; f < frames; ++f) {
        for (int64_t j = 0; j < frame_length; ++j) {
          const int64_t base = (b * len + f * step + j) * comps;
          const double wj = win[static_cast<size_t>(j)];
          re[static_cast<size_t>(j)] = misc_load(px[base]) * wj;
          im[static_cast<size_t>(j)] = comps == 2 ? misc_load(px[base + 1]) * wj : 0.0;
        }
        dft_1d(re, im, bins, false, ore, oim);
        T* row = py + ((b * frames + f) * bins) * 2;
        for (int64_t k = 0; k < bins; ++k) {
          row[2 * k] = misc_store<T>(ore[static_cast<size_t>(k)]);
          row[2 * k + 1] = misc_store<T>(oim[static_cast<size_t>(k)]);
        }
      }
    }
  });
  if (!handled) return ctx.error("signal must be a float tensor, got {}", sig.describe());
  return Status::ok();
}

Status blackman_window(KernelContext& ctx) { return window(ctx, WindowKind::kBlackman); }
Status hamming_window(KernelContext& ctx) { return window(ctx, WindowKind::kHamming); }
Status hann_window(KernelContext& ctx) { return window(ctx, WindowKind::kHann); }

// Triangular filters between mel-spaced edges, mapped to DFT bin indices (floor).
Status mel_weight_matrix(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(int64_t mels, scalar_int(ctx, 0, "num_mel_bins"));
  KILN_ASSIGN_OR_RETURN(int64_t dft_length, scalar_int(ctx, 1, "dft_length"));
  KILN_ASSIGN_OR_RETURN(int64_t sample_rate, scalar_int(ctx, 2, "sample_rate"));
  if (mels < 1 || dft_length < 1 || sample_rate < 1) {
    return ctx.error("num_mel_bins, dft_length and sample_rate must be >= 1, got {}, {}, {}", mels, dft_length,
                     sample_rate);
  }
  const Tensor& lo_t = ctx.input(3);
  const Tensor& hi_t = ctx.input(4);
  if (lo_t.numel() != 1 || hi_t.numel() != 1) return ctx.error("lower/upper_edge_hertz must be scalars");
  const double lo = lo_t.as_double(0), hi = hi_t.as_double(0);
  const int64_t bins = dft_length / 2 + 1;
  const DType dt = static_cast<DType>(ctx.node().attr_int("output_datatype", 1));
  // Edge frequencies (num_mel_bins + 2 points) on the mel scale, as DFT bin indices.
  const double lo_mel = 2595.0 * std::log10(1.0 + lo / 700.0);
  const double hi_mel = 2595.0 * std::log10(1.0 + hi / 700.0);
  const double mel_step = (hi_mel - lo_mel) / static_cast<double>(mels + 2);
  std::vector<int64_t> edge(static_cast<size_t>(mels + 2));
  for (int64_t i = 0; i < mels + 2; ++i) {
    const double hz = 700.0 * (std::pow(10.0, (static_cast<double>(i) * mel_step + lo_mel) / 2595.0) - 1.0);
    edge[static_cast<size_t>(i)] =
        static_cast<int64_t>(std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(sample_rate)));
  }
  std::vector<double> w(static_cast<size_t>(bins * mels), 0.0);
  auto at = [&](int64_t bin, int64_t m) -> double* {
    return bin >= 0 && bin < bins ? &w[static_cast<size_t>(bin * mels + m)] : nullptr;
  };
  for (int64_t m = 0; m < mels; ++m) {
    const int64_t left = edge[static_cast<size_t>(m)], center = edge[static_cast<size_t>(m + 1)],
                  right = edge[static_cast<size_t>(m + 2)];
    if (center == left) {
      if (double* p = at(center, m)) *p = 1.0;
    } else {
      for (int64_t j = left; j <= center; ++j) {
        if (double* p = at(j, m)) *p = static_cast<double>(j - left) / static_cast<double>(center - left);
      }
    }
    for (int64_t j = center; j < right; ++j) {
      if (double* p = at(j, m)) *p = static_cast<double>(right - j) / static_cast<double>(right - center);
    }
  }
  bool handled = KILN_DISPATCH_NUMERIC(dt, T, {
    Tensor& out = ctx.allocate_output(0, dt, {bins, mels});
    T* y = out.data<T>();
    for (size_t i = 0; i < w.size(); ++i) y[i] = misc_store<T>(w[i]);
  });
  if (!handled) return ctx.error("output_datatype {} is not a numeric type", static_cast<int>(dt));
  return Status::ok();
}

}  // namespace kiln::reference
