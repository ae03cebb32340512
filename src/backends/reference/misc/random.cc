// Random generators: Bernoulli, RandomUniform(Like), RandomNormal(Like), Multinomial.
// A `seed` attribute makes the output reproducible (same seed, same values); without it each
// run draws a fresh seed. The values cannot match numpy's generator bit for bit.
#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "backends/reference/misc/misc_kernels.h"

namespace kiln::reference {

namespace {

std::mt19937_64 make_engine(const ir::Node& node) {
  if (node.has_attr("seed")) {
    return std::mt19937_64(static_cast<uint64_t>(std::bit_cast<uint32_t>(node.attr_float("seed", 0.0f))));
  }
  std::random_device rd;
  return std::mt19937_64((static_cast<uint64_t>(rd()) << 32) ^ rd());
}

Expected<DType> dtype_attr(KernelContext& ctx, DType fallback) {
  if (!ctx.node().has_attr("dtype")) return fallback;
  const int64_t code = ctx.node().attr_int("dtype", 0);
  if (!dtype_is_valid(static_cast<int32_t>(code)) || code == static_cast<int64_t>(DType::kString)) {
    return ctx.error("dtype {} is not a supported numeric type", code);
  }
  return static_cast<DType>(code);
}

// Fills output 0 (dtype, shape) with draws of `dist` (a std:: distribution of double).
template <typename Dist>
Status fill_random(KernelContext& ctx, DType dt, const Shape& shape, Dist dist) {
  std::mt19937_64 engine = make_engine(ctx.node());
  bool handled = KILN_DISPATCH_FLOAT(dt, T, {
    Tensor& out = ctx.allocate_output(0, dt, shape);
    T* y = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) y[i] = misc_store<T>(dist(engine));
  });
  if (!handled) return ctx.error("output dtype must be a float type, got {}", dtype_name(dt));
  return Status::ok();
}

Status random_uniform_impl(KernelContext& ctx, DType dt, const Shape& shape) {
  const double low = ctx.node().attr_float("low", 0.0f), high = ctx.node().attr_float("high", 1.0f);
  if (!(low <= high)) return ctx.error("low ({}) must not exceed high ({})", low, high);
  return fill_random(ctx, dt, shape, std::uniform_real_distribution<double>(low, high));
}

Status random_normal_impl(KernelContext& ctx, DType dt, const Shape& shape) {
  const double mean = ctx.node().attr_float("mean", 0.0f), scale = ctx.node().attr_float("scale", 1.0f);
  if (!(scale > 0)) return ctx.error("scale must be > 0, got {}", scale);
  return fill_random(ctx, dt, shape, std::normal_distribution<double>(mean, scale));
}

Expected<Shape> shape_attr(KernelContext& ctx) {
  if (!ctx.node().has_attr("shape")) return ctx.error("attribute shape is required");
  Shape shape = ctx.node().attr_ints("shape");
  for (int64_t d : shape) {
    if (d < 0) return ctx.error("shape entries must be >= 0, got {}", d);
  }
  return shape;
}

}  // namespace

Status bernoulli(KernelContext& ctx) {
  const Tensor& p = ctx.input(0);
  if (!dtype_is_float(p.dtype())) return ctx.error("input must be a float tensor, got {}", p.describe());
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, p.dtype()));
  std::mt19937_64 engine = make_engine(ctx.node());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  bool handled = KILN_DISPATCH_POD(dt, T, {
    Tensor& out = ctx.allocate_output(0, dt, p.shape());
    T* y = out.data<T>();
    for (int64_t i = 0; i < p.numel(); ++i) y[i] = misc_store<T>(uniform(engine) < p.as_double(i) ? 1.0 : 0.0);
  });
  if (!handled) return ctx.error("dtype {} is not supported", dtype_name(dt));
  return Status::ok();
}

Status random_uniform_like(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, ctx.input(0).dtype()));
  return random_uniform_impl(ctx, dt, ctx.input(0).shape());
}

Status random_normal_like(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, ctx.input(0).dtype()));
  return random_normal_impl(ctx, dt, ctx.input(0).shape());
}

Status random_uniform(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Shape shape, shape_attr(ctx));
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, DType::kFloat32));
  return random_uniform_impl(ctx, dt, shape);
}

Status random_normal(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Shape shape, shape_attr(ctx));
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, DType::kFloat32));
  return random_normal_impl(ctx, dt, shape);
}

// Samples class indices from unnormalized log-probabilities, one row per batch entry.
Status multinomial(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() != 2 || !dtype_is_float(x.dtype())) {
    return ctx.error("input must be a float [batch_size, class_size] tensor, got {}", x.describe());
  }
  KILN_ASSIGN_OR_RETURN(DType dt, dtype_attr(ctx, DType::kInt32));
  if (dt != DType::kInt32 && dt != DType::kInt64) return ctx.error("dtype must be int32 or int64, got {}", dtype_name(dt));
  const int64_t samples = ctx.node().attr_int("sample_size", 1);
  if (samples < 0) return ctx.error("sample_size must be >= 0, got {}", samples);
  const int64_t batch = x.dim(0), classes = x.dim(1);
  if (classes < 1 && samples > 0) return ctx.error("class_size must be >= 1");
  std::mt19937_64 engine = make_engine(ctx.node());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Tensor& out = ctx.allocate_output(0, dt, {batch, samples});
  std::vector<double> cdf(static_cast<size_t>(classes));
  for (int64_t b = 0; b < batch; ++b) {
    double mx = -INFINITY;
    for (int64_t c = 0; c < classes; ++c) mx = std::max(mx, x.as_double(b * classes + c));
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) {
      total += std::isfinite(mx) ? std::exp(x.as_double(b * classes + c) - mx) : 1.0;
      cdf[static_cast<size_t>(c)] = total;
    }
    for (int64_t s = 0; s < samples; ++s) {
      const double u = uniform(engine) * total;
      int64_t pick = classes - 1;
      for (int64_t c = 0; c < classes; ++c) {
        if (u < cdf[static_cast<size_t>(c)]) {
          pick = c;
          break;
        }
      }
      if (dt == DType::kInt32) out.data<int32_t>()[b * samples + s] = static_cast<int32_t>(pick);
      else out.data<int64_t>()[b * samples + s] = pick;
    }
  }
  return Status::ok();
}

}  // namespace kiln::reference
