// LayerNormalization, BatchNormalization, InstanceNormalization, LRN, MeanVarianceNormalization.
// Statistics are computed in double; outputs round to the input's type on store.
#include <cmath>
#include <vector>

#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/reduction/reduction_util.h"
#include "backends/reference/util.h"

namespace kiln::reference {

namespace {

// `param` broadcast (unidirectionally) to `shape`, flattened; error when it does not broadcast.
Expected<std::vector<double>> expand_param(const Tensor& param, const Shape& shape, const char* what) {
  const Shape& p = param.shape();
  bool ok = p.size() <= shape.size();
  for (size_t i = 0; ok && i < p.size(); ++i) {
    const int64_t d = shape[shape.size() - p.size() + i];
    ok = p[i] == d || p[i] == 1;
  }
  if (!ok) return invalid_argument("{} has shape {}, which does not broadcast to {}", what, shape_str(p), shape_str(shape));
  const std::vector<double> values = to_doubles(param);
  std::vector<double> out(static_cast<size_t>(shape_numel(shape)));
  BroadcastWalker w(shape, {&p});
  for (size_t i = 0; i < out.size(); ++i, w.next()) out[i] = values[static_cast<size_t>(w.offset(0))];
  return out;
}

// Writes doubles into a new output tensor of dtype `dtype`.
// X viewed as [N, C, inner] (inner = product of dims after 1).
struct NCInner {
  int64_t n = 1, c = 1, inner = 1;
};
NCInner split_nc(const Tensor& x) {
  NCInner s;
  if (x.rank() >= 1) s.n = x.dim(0);
  if (x.rank() >= 2) s.c = x.dim(1);
  for (int64_t i = 2; i < x.rank(); ++i) s.inner *= x.dim(i);
  return s;
}

}  // namespace

Status layer_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis_attr = ctx.node().attr_int("axis", -1);
  auto axis = normalize_axis(axis_attr, x.rank());
  if (!axis || x.rank() == 0) return ctx.error("axis {} is out of range for rank {}", axis_attr, x.rank());
  const double epsilon = ctx.node().attr_float("epsilon", 1e-5f);
  const int64_t stash = ctx.node().attr_int("stash_type", 1);
  const DType stat_type = dtype_is_valid(static_cast<int32_t>(stash)) ? static_cast<DType>(stash) : DType::kFloat32;

  Shape norm_shape(x.shape().begin() + *axis, x.shape().end());
  Shape stat_shape = x.shape();
  for (int64_t i = *axis; i < x.rank(); ++i) stat_shape[static_cast<size_t>(i)] = 1;
  const int64_t inner = shape_numel(norm_shape);
  const int64_t outer = shape_numel(stat_shape);

  auto scale = expand_param(ctx.input(1), norm_shape, "Scale");
  if (!scale) return ctx.error("{}", scale.status().message());
  std::vector<double> bias(static_cast<size_t>(inner), 0.0);
  if (ctx.has_input(2)) {
    auto b = expand_param(ctx.input(2), norm_shape, "B");
    if (!b) return ctx.error("{}", b.status().message());
    bias = std::move(*b);
  }

  std::vector<double> means(static_cast<size_t>(outer)), inv_stds(static_cast<size_t>(outer));
  std::vector<double> y(static_cast<size_t>(x.numel()));
  const bool handled = KILN_DISPATCH_FLOAT(x.dtype(), T, {
    const T* px = x.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      const T* row = px + o * inner;
      double sum = 0;
      for (int64_t k = 0; k < inner; ++k) sum += to_double(row[k]);
      const double mean = inner > 0 ? sum / static_cast<double>(inner) : 0.0;
      double sq = 0;
      for (int64_t k = 0; k < inner; ++k) sq += (to_double(row[k]) - mean) * (to_double(row[k]) - mean);
      const double var = inner > 0 ? sq / static_cast<double>(inner) : 0.0;
      const double inv_std = 1.0 / std::sqrt(var + epsilon);
      means[static_cast<size_t>(o)] = mean;
      inv_stds[static_cast<size_t>(o)] = inv_std;
      for (int64_t k = 0; k < inner; ++k) {
        const size_t kk = static_cast<size_t>(k);
        y[static_cast<size_t>(o * inner + k)] = (to_double(row[k]) - mean) * inv_std * (*scale)[kk] + bias[kk];
      }
    }
  });
  if (!handled) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  KILN_TRY(store_doubles(ctx, 0, x.dtype(), x.shape(), y));
  if (ctx.wants_output(1)) KILN_TRY(store_doubles(ctx, 1, stat_type, stat_shape, means));
  if (ctx.wants_output(2)) KILN_TRY(store_doubles(ctx, 2, stat_type, stat_shape, inv_stds));
  return Status::ok();
}

// Inference form: y = scale * (x - mean) / sqrt(var + epsilon) + B per channel. Training form
// (training_mode=1 from opset 14; before that, when the optional statistics outputs are used)
// normalizes with the batch statistics and also outputs the updated running mean and variance.
// Before opset 9, spatial=0 gives every (channel, position) its own parameters.
Status batch_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const NCInner s = split_nc(x);
  const double epsilon = ctx.node().attr_float("epsilon", 1e-5f);
  const double momentum = ctx.node().attr_float("momentum", 0.9f);
  const bool training =
      ctx.opset() >= 14 ? ctx.node().attr_int("training_mode", 0) != 0 : ctx.wants_output(1) || ctx.wants_output(2);

  std::vector<double> params[4];
  const char* names[4] = {"scale", "B", "input_mean", "input_var"};
  int64_t per = 0;  // parameters per batch item: C (spatial) or C * inner
  for (size_t i = 0; i < 4; ++i) {
    params[i] = to_doubles(ctx.input(i + 1));
    const int64_t n = static_cast<int64_t>(params[i].size());
    if (per == 0) per = n;
    if (n != per || (n != s.c && n != s.c * s.inner)) {
      return ctx.error("{} has {} elements, expected C = {}", names[i], n, s.c);
    }
  }
  const bool spatial = per == s.c;
  const int64_t positions = spatial ? s.inner : 1;  // elements sharing one parameter per item
  auto param_index = [&](int64_t i) { return spatial ? (i / s.inner) % s.c : i % (s.c * s.inner); };

  std::vector<double> mean = params[2], var = params[3];
  std::vector<double> xs = to_doubles(x);
  if (training) {
    const double count = static_cast<double>(s.n * positions);
    std::vector<double> sum(static_cast<size_t>(per), 0.0), sq(static_cast<size_t>(per), 0.0);
    for (int64_t i = 0; i < x.numel(); ++i) sum[static_cast<size_t>(param_index(i))] += xs[static_cast<size_t>(i)];
    for (double& v : sum) v = count > 0 ? v / count : 0.0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double d = xs[static_cast<size_t>(i)] - sum[static_cast<size_t>(param_index(i))];
      sq[static_cast<size_t>(param_index(i))] += d * d;
    }
    for (double& v : sq) v = count > 0 ? v / count : 0.0;
    mean = sum;
    var = sq;
  }
  std::vector<double> y(xs.size());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const size_t p = static_cast<size_t>(param_index(i));
    y[static_cast<size_t>(i)] =
        params[0][p] * (xs[static_cast<size_t>(i)] - mean[p]) / std::sqrt(var[p] + epsilon) + params[1][p];
  }
  if (!dtype_is_float(x.dtype())) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  KILN_TRY(store_doubles(ctx, 0, x.dtype(), x.shape(), y));
  if (!training) return Status::ok();
  const DType stat_type = ctx.input(3).dtype();
  const Shape& stat_shape = ctx.input(3).shape();
  std::vector<double> running_mean(mean.size()), running_var(var.size());
  for (size_t p = 0; p < mean.size(); ++p) {
    running_mean[p] = params[2][p] * momentum + mean[p] * (1 - momentum);
    running_var[p] = params[3][p] * momentum + var[p] * (1 - momentum);
  }
  if (ctx.wants_output(1)) KILN_TRY(store_doubles(ctx, 1, stat_type, stat_shape, running_mean));
  if (ctx.wants_output(2)) KILN_TRY(store_doubles(ctx, 2, stat_type, stat_shape, running_var));
  if (ctx.num_outputs() > 3 && ctx.wants_output(3)) KILN_TRY(store_doubles(ctx, 3, stat_type, stat_shape, mean));
  if (ctx.num_outputs() > 4 && ctx.wants_output(4)) KILN_TRY(store_doubles(ctx, 4, stat_type, stat_shape, var));
  return Status::ok();
}

Status instance_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) return ctx.error("input must have rank >= 2, got {}", x.rank());
  const NCInner s = split_nc(x);
  const double epsilon = ctx.node().attr_float("epsilon", 1e-5f);
  const std::vector<double> scale = to_doubles(ctx.input(1)), bias = to_doubles(ctx.input(2));
  if (static_cast<int64_t>(scale.size()) != s.c || static_cast<int64_t>(bias.size()) != s.c) {
    return ctx.error("scale and B must have C = {} elements, got {} and {}", s.c, scale.size(), bias.size());
  }
  if (!dtype_is_float(x.dtype())) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  const std::vector<double> xs = to_doubles(x);
  std::vector<double> y(xs.size());
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t c = 0; c < s.c; ++c) {
      const size_t base = static_cast<size_t>((n * s.c + c) * s.inner);
      double sum = 0, sq = 0;
      for (int64_t k = 0; k < s.inner; ++k) sum += xs[base + static_cast<size_t>(k)];
      const double mean = s.inner > 0 ? sum / static_cast<double>(s.inner) : 0.0;
      for (int64_t k = 0; k < s.inner; ++k) {
        const double d = xs[base + static_cast<size_t>(k)] - mean;
        sq += d * d;
      }
      const double var = s.inner > 0 ? sq / static_cast<double>(s.inner) : 0.0;
      const double inv_std = 1.0 / std::sqrt(var + epsilon);
      const size_t ci = static_cast<size_t>(c);
      for (int64_t k = 0; k < s.inner; ++k) {
        const size_t i = base + static_cast<size_t>(k);
        y[i] = scale[ci] * (xs[i] - mean) * inv_std + bias[ci];
      }
    }
  }
  return store_doubles(ctx, 0, x.dtype(), x.shape(), y);
}

// y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta, the window spanning
// channels [c - floor((size-1)/2), c + ceil((size-1)/2)].
Status lrn(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t size = ctx.node().attr_int("size", 0);
  if (size <= 0) return ctx.error("attribute 'size' must be a positive integer, got {}", size);
  const double alpha = ctx.node().attr_float("alpha", 1e-4f);
  const double beta = ctx.node().attr_float("beta", 0.75f);
  const double bias = ctx.node().attr_float("bias", 1.0f);
  if (!dtype_is_float(x.dtype())) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  const NCInner s = split_nc(x);
  const std::vector<double> xs = to_doubles(x);
  std::vector<double> y(xs.size());
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t c = 0; c < s.c; ++c) {
      const int64_t lo = std::max<int64_t>(0, c - before), hi = std::min<int64_t>(s.c - 1, c + after);
      for (int64_t k = 0; k < s.inner; ++k) {
        double sq = 0;
        for (int64_t j = lo; j <= hi; ++j) {
          const double v = xs[static_cast<size_t>((n * s.c + j) * s.inner + k)];
          sq += v * v;
        }
        const size_t i = static_cast<size_t>((n * s.c + c) * s.inner + k);
        y[i] = xs[i] / std::pow(bias + alpha / static_cast<double>(size) * sq, beta);
      }
    }
  }
  return store_doubles(ctx, 0, x.dtype(), x.shape(), y);
}

// y = (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9), expectations over `axes` (default 0, 2, 3).
Status mean_variance_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (!dtype_is_float(x.dtype())) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  const std::vector<int64_t> axes = ctx.node().attr_ints("axes", {0, 2, 3});
  Shape keep = x.shape();
  for (int64_t a : axes) {
    auto axis = normalize_axis(a, x.rank());
    if (!axis || x.rank() == 0) return ctx.error("axes: axis {} is out of range for rank {}", a, x.rank());
    keep[static_cast<size_t>(*axis)] = 1;
  }
  const int64_t groups = shape_numel(keep);
  const double count = groups > 0 ? static_cast<double>(x.numel()) / static_cast<double>(groups) : 0.0;
  const std::vector<double> xs = to_doubles(x);
  std::vector<double> sum(static_cast<size_t>(groups), 0.0), sq(static_cast<size_t>(groups), 0.0);
  {
    BroadcastWalker w(x.shape(), {&keep});
    for (size_t i = 0; i < xs.size(); ++i, w.next()) {
      sum[static_cast<size_t>(w.offset(0))] += xs[i];
      sq[static_cast<size_t>(w.offset(0))] += xs[i] * xs[i];
    }
  }
  std::vector<double> y(xs.size());
  BroadcastWalker w(x.shape(), {&keep});
  for (size_t i = 0; i < xs.size(); ++i, w.next()) {
    const size_t g = static_cast<size_t>(w.offset(0));
    const double mean = sum[g] / count;
    const double var = std::max(0.0, sq[g] / count - mean * mean);
    y[i] = (xs[i] - mean) / (std::sqrt(var) + 1e-9);
  }
  return store_doubles(ctx, 0, x.dtype(), x.shape(), y);
}

}  // namespace kiln::reference
