// MaxPool, AveragePool, LpPool, the global pools and MaxUnpool. Computed in double over any
// numeric dtype, stored back in the input's dtype.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backends/reference/nn/nn_kernels.h"
#include "ops/nn/window_geometry.h"

namespace kiln::reference {

namespace {

enum class PoolKind { kMax, kAverage, kLp };

// LpPool's p: a float attribute in opset 1, an int from opset 2.
double lp_order(const ir::Node& node) {
  const ir::Attribute* a = node.attr("p");
  if (!a) return 2.0;
  return a->kind == ir::Attribute::Kind::kFloat ? static_cast<double>(a->f) : static_cast<double>(a->i);
}

// Multi-index odometer over `shape`; returns false after the last position.
bool next_index(std::vector<int64_t>& idx, const std::vector<int64_t>& shape) {
  for (size_t d = idx.size(); d-- > 0;) {
    if (++idx[d] < shape[d]) return true;
    idx[d] = 0;
  }
  return false;
}

Status pool(KernelContext& ctx, PoolKind kind) {
  const Tensor& x0 = ctx.input(0);
  if (x0.rank() < 3) return ctx.error("input X must have rank >= 3 (N, C, spatial...), got {}", x0.describe());
  if (x0.dtype() == DType::kString || x0.dtype() == DType::kBool) {
    return ctx.unsupported_error("dtype {} is not supported", dtype_name(x0.dtype()));
  }
  size_t nd = static_cast<size_t>(x0.rank() - 2);
  std::vector<int64_t> kernel = ctx.node().attr_ints("kernel_shape");
  Shape in(x0.shape().begin() + 2, x0.shape().end());
  bool ceil_mode = ctx.node().attr_int("ceil_mode", 0) != 0;
  KILN_ASSIGN_OR_RETURN(WindowGeometry g, forward_window(ctx.node(), in, kernel, ceil_mode));
  bool include_pad = ctx.node().attr_int("count_include_pad", 0) != 0;
  double p = lp_order(ctx.node());
  int64_t storage_order = ctx.node().attr_int("storage_order", 0);

  Tensor x = cast_tensor(x0, DType::kFloat64);
  const double* xd = x.data<double>();
  int64_t planes = x0.dim(0) * x0.dim(1);
  int64_t in_size = shape_numel(in), out_size = shape_numel(g.out);
  Shape out_shape{x0.dim(0), x0.dim(1)};
  out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
  Tensor y(DType::kFloat64, out_shape);
  double* yd = y.data<double>();
  bool want_indices = kind == PoolKind::kMax && ctx.num_outputs() > 1 && ctx.wants_output(1);
  Tensor indices = want_indices ? Tensor(DType::kInt64, out_shape) : Tensor();
  std::vector<int64_t> row_strides = shape_strides(in);
  std::vector<int64_t> col_strides(nd, 1);
  for (size_t d = 1; d < nd; ++d) col_strides[d] = col_strides[d - 1] * in[d - 1];

  std::vector<int64_t> o(nd), k(nd);
  for (int64_t pl = 0; pl < planes; ++pl) {
    const double* xp = xd + pl * in_size;
    std::fill(o.begin(), o.end(), 0);
    for (int64_t oi = 0; oi < out_size; ++oi, next_index(o, g.out)) {
      double acc = kind == PoolKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
      int64_t best = -1, count = 0, padded_count = 0;
      std::fill(k.begin(), k.end(), 0);
      do {
        int64_t off = 0, col_off = 0;
        bool inside = true, in_padded = true;
        for (size_t d = 0; d < nd; ++d) {
          int64_t i = o[d] * g.strides[d] - g.pads_begin[d] + k[d] * g.dilations[d];
          if (i < 0 || i >= in[d]) inside = false;
          if (i < -g.pads_begin[d] || i >= in[d] + g.pads_end[d]) in_padded = false;
          off += i * row_strides[d];
          col_off += i * col_strides[d];
        }
        if (in_padded) ++padded_count;
        if (!inside) continue;
        ++count;
        double v = xp[off];
        if (kind == PoolKind::kMax) {
          if (v > acc || best < 0) {
            acc = v;
            best = storage_order ? col_off : off;
          }
        } else if (kind == PoolKind::kAverage) {
          acc += v;
        } else {
          acc += std::pow(std::fabs(v), p);
        }
      } while (next_index(k, g.kernel));
      double result = acc;
      if (kind == PoolKind::kAverage) {
        int64_t div = include_pad ? padded_count : count;
        result = div > 0 ? acc / static_cast<double>(div) : 0.0;
      } else if (kind == PoolKind::kLp) {
        result = std::pow(acc, 1.0 / p);
      } else if (best < 0) {
        result = 0;  // window entirely in the padding
      }
      yd[pl * out_size + oi] = result;
      if (want_indices) indices.data<int64_t>()[pl * out_size + oi] = pl * in_size + std::max<int64_t>(best, 0);
    }
  }
  ctx.set_output(0, cast_tensor(y, x0.dtype()));
  if (want_indices) ctx.set_output(1, indices);
  return Status::ok();
}

Status global_pool(KernelContext& ctx, PoolKind kind) {
  const Tensor& x0 = ctx.input(0);
  if (x0.rank() < 3) return ctx.error("input X must have rank >= 3 (N, C, spatial...), got {}", x0.describe());
  if (x0.dtype() == DType::kString || x0.dtype() == DType::kBool) {
    return ctx.unsupported_error("dtype {} is not supported", dtype_name(x0.dtype()));
  }
  double p = lp_order(ctx.node());
  Tensor x = cast_tensor(x0, DType::kFloat64);
  int64_t planes = x0.dim(0) * x0.dim(1);
  int64_t size = x0.numel() / std::max<int64_t>(planes, 1);
  Shape out_shape(x0.shape().size(), 1);
  out_shape[0] = x0.dim(0);
  out_shape[1] = x0.dim(1);
  Tensor y(DType::kFloat64, out_shape);
  for (int64_t pl = 0; pl < planes; ++pl) {
    const double* xp = x.data<double>() + pl * size;
    double acc = kind == PoolKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t i = 0; i < size; ++i) {
      if (kind == PoolKind::kMax) acc = std::max(acc, xp[i]);
      else if (kind == PoolKind::kAverage) acc += xp[i];
      else acc += std::pow(std::fabs(xp[i]), p);
    }
    if (kind == PoolKind::kAverage) acc = size > 0 ? acc / static_cast<double>(size) : 0.0;
    if (kind == PoolKind::kLp) acc = std::pow(acc, 1.0 / p);
    y.data<double>()[pl] = acc;
  }
  ctx.set_output(0, cast_tensor(y, x0.dtype()));
  return Status::ok();
}

}  // namespace

Status max_pool(KernelContext& ctx) { return pool(ctx, PoolKind::kMax); }
Status average_pool(KernelContext& ctx) { return pool(ctx, PoolKind::kAverage); }
Status lp_pool(KernelContext& ctx) { return pool(ctx, PoolKind::kLp); }
Status global_average_pool(KernelContext& ctx) { return global_pool(ctx, PoolKind::kAverage); }
Status global_max_pool(KernelContext& ctx) { return global_pool(ctx, PoolKind::kMax); }
Status global_lp_pool(KernelContext& ctx) { return global_pool(ctx, PoolKind::kLp); }

// Scatters X into a zero tensor at the flat positions given by I (as MaxPool's Indices).
Status max_unpool(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  if (x.rank() < 3) return ctx.error("input X must have rank >= 3, got {}", x.describe());
  if (ind.shape() != x.shape()) return ctx.error("indices I {} must have the shape of X {}", ind.describe(), x.describe());
  size_t nd = static_cast<size_t>(x.rank() - 2);
  if (x.dtype() == DType::kString) return ctx.unsupported_error("string tensors are not supported");
  // The indices address the default (inferred) output; an explicit output_shape places that
  // block at the start of a larger zero tensor.
  std::vector<int64_t> kernel = ctx.node().attr_ints("kernel_shape");
  std::vector<int64_t> strides = ctx.node().attr_ints("strides", std::vector<int64_t>(nd, 1));
  std::vector<int64_t> pads = ctx.node().attr_ints("pads", std::vector<int64_t>(2 * nd, 0));
  if (kernel.size() != nd || strides.size() != nd || pads.size() != 2 * nd) {
    return ctx.error("kernel_shape/strides/pads must have {} (pads {}) values", nd, 2 * nd);
  }
  Shape inferred{x.dim(0), x.dim(1)};
  for (size_t d = 0; d < nd; ++d) {
    int64_t v = (x.dim(static_cast<int64_t>(d) + 2) - 1) * strides[d] + kernel[d] - pads[d] - pads[d + nd];
    if (v < 0) return ctx.error("negative output size {} on spatial axis {}", v, d);
    inferred.push_back(v);
  }
  Shape out_shape = inferred;
  if (ctx.has_input(2)) {
    out_shape = ctx.input(2).to_int64_vector();
    if (out_shape.size() != static_cast<size_t>(x.rank())) {
      return ctx.error("output_shape has {} values, X has rank {}", out_shape.size(), x.rank());
    }
    for (size_t d = 0; d < out_shape.size(); ++d) {
      if (out_shape[d] < inferred[d]) {
        return ctx.error("output_shape {} is smaller than the unpooled shape {}", shape_str(out_shape), shape_str(inferred));
      }
    }
  }
  Tensor block = Tensor::zeros(x.dtype(), inferred);
  int64_t total = block.numel();
  int64_t elem = static_cast<int64_t>(dtype_size(x.dtype()));
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t at = ind.as_int64(i);
    if (at < 0 || at >= total) return ctx.error("index I[{}] = {} is outside the output of {} elements", i, at, total);
    std::memcpy(static_cast<char*>(block.raw()) + at * elem, static_cast<const char*>(x.raw()) + i * elem,
                static_cast<size_t>(elem));
  }
  if (out_shape == inferred) {
    ctx.set_output(0, block);
    return Status::ok();
  }
  Tensor y = Tensor::zeros(x.dtype(), out_shape);
  std::vector<int64_t> ys = shape_strides(out_shape);
  std::vector<int64_t> idx(inferred.size(), 0);
  for (int64_t i = 0; i < total; ++i, next_index(idx, inferred)) {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * ys[d];
    std::memcpy(static_cast<char*>(y.raw()) + off * elem, static_cast<const char*>(block.raw()) + i * elem,
                static_cast<size_t>(elem));
  }
  ctx.set_output(0, y);
  return Status::ok();
}

}  // namespace kiln::reference
