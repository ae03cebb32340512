// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/reduction/reduction_util.h"

namespace kiln::reference {

namespace {

// The NLL loss of log-probabilities `logp` (shape `shape` = [N, C, d1...]) against `target`
// ([N, d1...]): loss = -logp[n, t, d...] * weight[t], zero where t == ignore_index; then
// reduced by `reduction` ("mean" divides by the sum of the weights used).
Status nll(KernelContext& ctx, const std::vector<double>& logp, const Shape& shape, DType dtype) {
  const Tensor& target = ctx.input(1);
  if (shape.size() < 2) return ctx.error("input must have rank >= 2, got {}", shape.size());
  if (target.rank() != static_cast<int64_t>(shape.size()) - 1 || target.dim(0) != shape[0]) {
    return ctx.error("target shape {} does not match input shape {} (expected [N, d1, ...])",
                     shape_str(target.shape()), shape_str(shape));
  }
  for (size_t i = 2; i < shape.size(); ++i) {
    if (target.dim(static_cast<int64_t>(i) - 1) != shape[i]) {
      return ctx.error("target shape {} does not match input shape {}", shape_str(target.shape()), shape_str(shape));
    }
  }
  if (target.dtype() != DType::kInt32 && target.dtype() != DType::kInt64) {
    return ctx.error("target must be int32 or int64, got {}", dtype_name(target.dtype()));
  }
  const int64_t n = shape[0], c = shape[1];
  const int64_t inner = shape_numel(Shape(shape.begin() + 2, shape.end()));
  std::vector<double> weight;
  if (ctx.has_input(2)) {
    weight = to_doubles(ctx.input(2));
    if (static_cast<int64_t>(weight.size()) != c) return ctx.error("weight has {} elements, expected C = {}", weight.size(), c);
  }
  const bool has_ignore = ctx.node().has_attr("ignore_index");
  const int64_t ignore = ctx.node().attr_int("ignore_index", 0);
  const std::string reduction = ctx.node().attr_string("reduction", "mean");

  const std::vector<int64_t> t = target.to_int64_vector();
  std::vector<double> loss(t.size(), 0.0);
  double weight_sum = 0;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t k = 0; k < inner; ++k) {
      const size_t ti = static_cast<size_t>(b * inner + k);
      const int64_t cls = t[ti];
      if (has_ignore && cls == ignore) continue;
      if (cls < 0 || cls >= c) return ctx.error("target value {} is outside [0, {})", cls, c);
      const double w = weight.empty() ? 1.0 : weight[static_cast<size_t>(cls)];
      loss[ti] = -logp[static_cast<size_t>((b * c + cls) * inner + k)] * w;
      weight_sum += w;
    }
  }
  if (reduction == "none") return store_doubles(ctx, 0, dtype, target.shape(), loss);
  double total = 0;
  for (double v : loss) total += v;
  if (reduction == "sum") return store_doubles(ctx, 0, dtype, {}, {total});
  if (reduction == "mean") return store_doubles(ctx, 0, dtype, {}, {total / weight_sum});
  return ctx.error("reduction is '{}', expected 'none', 'sum' or 'mean'", reduction);
}

}  // namespace

Status negative_log_likelihood_loss(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (!dtype_is_float(x.dtype())) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  return nll(ctx, to_doubles(x), x.shape(), x.dtype());
}

// log_prob = LogSoftmax(scores) along axis 1; loss = NLL(log_prob, labels).
Status softmax_cross_entropy_loss(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (!dtype_is_float(x.dtype())) return ctx.error("scores dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  if (x.rank() < 2) return ctx.error("scores must have rank >= 2, got {}", x.rank());
  std::vector<double> logp = to_doubles(x);
  const int64_t n = x.dim(0), c = x.dim(1), inner = x.numel() / std::max<int64_t>(n * c, 1);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t k = 0; k < inner; ++k) {
      auto at = [&](int64_t j) -> double& { return logp[static_cast<size_t>((b * c + j) * inner + k)]; };
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < c; ++j) mx = std::max(mx, at(j));
      double sum = 0;
      for (int64_t j = 0; j < c; ++j) sum += std::exp(at(j) - mx);
      const double log_sum = std::log(sum) + mx;
      for (int64_t j = 0; j < c; ++j) at(j) -= log_sum;
    }
  }
  KILN_TRY(nll(ctx, logp, x.shape(), x.dtype()));
  if (ctx.num_outputs() > 1 && ctx.wants_output(1)) KILN_TRY(store_doubles(ctx, 1, x.dtype(), x.shape(), logp));
  return Status::ok();
}

}  // namespace kiln::reference
