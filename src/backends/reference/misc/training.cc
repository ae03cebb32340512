// Optimizers of ai.onnx.preview.training: Adagrad, Adam, Momentum. Each updates n tensors X
// given gradients G and per-optimizer state; inputs are R (learning rate), T (update count),
// then the groups X..., G..., state...; outputs X_new..., state_new.... Computed in double.
#include <cmath>
#include <vector>

#include "backends/reference/misc/misc_kernels.h"

namespace kiln::reference {

namespace {

struct OptimizerIo {
  double r = 0;
  int64_t t = 0;
  size_t n = 0;
};

// Validates the input layout (2 + groups * n) and that every group's tensors match X's shape.
Expected<OptimizerIo> optimizer_io(KernelContext& ctx, size_t groups) {
  if (ctx.num_inputs() < 2 || (ctx.num_inputs() - 2) % groups != 0 || ctx.num_inputs() == 2) {
    return ctx.error("expects R, T and {} groups of n tensors, got {} inputs", groups, ctx.num_inputs());
  }
  OptimizerIo io;
  io.n = (ctx.num_inputs() - 2) / groups;
  const Tensor& r = ctx.input(0);
  const Tensor& t = ctx.input(1);
  if (!dtype_is_float(r.dtype()) || r.numel() != 1) return ctx.error("R must be a float scalar, got {}", r.describe());
  if (!dtype_is_integer(t.dtype()) || t.numel() != 1) return ctx.error("T must be an integer scalar, got {}", t.describe());
  io.r = r.as_double(0);
  io.t = t.as_int64(0);
  for (size_t i = 0; i < io.n; ++i) {
    const Tensor& x = ctx.input(2 + i);
    if (x.dtype() != DType::kFloat32 && x.dtype() != DType::kFloat64) {
      return ctx.error("X{} must be float32 or float64, got {}", i, x.describe());
    }
    for (size_t g = 1; g < groups; ++g) {
      const Tensor& other = ctx.input(2 + g * io.n + i);
      if (other.dtype() != x.dtype() || other.shape() != x.shape()) {
        return ctx.error("input {} is {}, expected the same type and shape as X{} ({})", 2 + g * io.n + i,
                         other.describe(), i, x.describe());
      }
    }
  }
  return io;
}

// Reads tensor elements as doubles.
std::vector<double> load(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.as_double(i);
  return v;
}

// Writes `values` into output `o` (if wanted) with `like`'s dtype and shape.
void store(KernelContext& ctx, size_t o, const Tensor& like, const std::vector<double>& values) {
  if (o >= ctx.num_outputs() || !ctx.wants_output(o)) return;
  Tensor& out = ctx.allocate_output(o, like.dtype(), like.shape());
  if (like.dtype() == DType::kFloat32) {
    for (size_t i = 0; i < values.size(); ++i) out.data<float>()[i] = static_cast<float>(values[i]);
  } else {
    for (size_t i = 0; i < values.size(); ++i) out.data<double>()[i] = values[i];
  }
}

}  // namespace

Status adagrad(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(OptimizerIo io, optimizer_io(ctx, 3));
  const double decay = ctx.node().attr_float("decay_factor", 0.0f);
  const double eps = ctx.node().attr_float("epsilon", 1e-6f);
  const double norm = ctx.node().attr_float("norm_coefficient", 0.0f);
  const double r = io.r / (1.0 + static_cast<double>(io.t) * decay);
  for (size_t i = 0; i < io.n; ++i) {
    const Tensor& xt = ctx.input(2 + i);
    std::vector<double> x = load(xt), g = load(ctx.input(2 + io.n + i)), h = load(ctx.input(2 + 2 * io.n + i));
    for (size_t k = 0; k < x.size(); ++k) {
      const double gr = norm * x[k] + g[k];
      h[k] += gr * gr;
      x[k] -= r * gr / (std::sqrt(h[k]) + eps);
    }
    store(ctx, i, xt, x);
    store(ctx, io.n + i, xt, h);
  }
  return Status::ok();
}

Status adam(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(OptimizerIo io, optimizer_io(ctx, 4));
  const double alpha = ctx.node().attr_float("alpha", 0.9f);
  const double beta = ctx.node().attr_float("beta", 0.999f);
  const double eps = ctx.node().attr_float("epsilon", 1e-6f);
  const double norm = ctx.node().attr_float("norm_coefficient", 0.0f);
  const double norm_post = ctx.node().attr_float("norm_coefficient_post", 0.0f);
  double r = io.r;
  if (io.t > 0) {
    const double t = static_cast<double>(io.t);
    r = io.r * std::sqrt(1.0 - std::pow(beta, t)) / (1.0 - std::pow(alpha, t));
  }
  for (size_t i = 0; i < io.n; ++i) {
    const Tensor& xt = ctx.input(2 + i);
    std::vector<double> x = load(xt), g = load(ctx.input(2 + io.n + i)), v = load(ctx.input(2 + 2 * io.n + i)),
                        h = load(ctx.input(2 + 3 * io.n + i));
    for (size_t k = 0; k < x.size(); ++k) {
      const double gr = norm * x[k] + g[k];
      v[k] = alpha * v[k] + (1.0 - alpha) * gr;
      h[k] = beta * h[k] + (1.0 - beta) * gr * gr;
      const double x_new = x[k] - r * v[k] / (std::sqrt(h[k]) + eps);
      x[k] = (1.0 - norm_post) * x_new;
    }
    store(ctx, i, xt, x);
    store(ctx, io.n + i, xt, v);
    store(ctx, 2 * io.n + i, xt, h);
  }
  return Status::ok();
}

Status momentum(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(OptimizerIo io, optimizer_io(ctx, 3));
  const double alpha = ctx.node().attr_float("alpha", 0.0f);
  const double beta = ctx.node().attr_float("beta", 0.0f);
  const double norm = ctx.node().attr_float("norm_coefficient", 0.0f);
  const std::string mode = ctx.node().attr_string("mode", "standard");
  if (mode != "standard" && mode != "nesterov") return ctx.error("mode must be standard or nesterov, got '{}'", mode);
  const double beta_adj = io.t > 0 ? beta : 1.0;
  for (size_t i = 0; i < io.n; ++i) {
    const Tensor& xt = ctx.input(2 + i);
    std::vector<double> x = load(xt), g = load(ctx.input(2 + io.n + i)), v = load(ctx.input(2 + 2 * io.n + i));
    for (size_t k = 0; k < x.size(); ++k) {
      const double gr = norm * x[k] + g[k];
      v[k] = alpha * v[k] + beta_adj * gr;
      x[k] -= mode == "nesterov" ? io.r * (gr + alpha * v[k]) : io.r * v[k];
    }
    store(ctx, i, xt, x);
    store(ctx, io.n + i, xt, v);
  }
  return Status::ok();
}

}  // namespace kiln::reference
