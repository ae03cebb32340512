// Gemm, MatMul, MatMulInteger and QLinearMatMul over the shared GEMM helper.
#include <vector>

#include "backends/reference/nn/gemm_util.h"
#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/nn/quant_util.h"
#include "backends/reference/util.h"

namespace kiln::reference {

namespace {

// Numpy matmul of a and b (same compute dtype): 1-D operands are promoted and the promoted axis
// dropped from the result; batch dims broadcast.
Expected<Tensor> matmul_tensors(KernelContext& ctx, const Tensor& a, const Tensor& b) {
  if (a.rank() < 1 || b.rank() < 1) return ctx.error("operands must have rank >= 1, got {} and {}", a.describe(), b.describe());
  Shape as = a.shape(), bs = b.shape();
  bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  if (bs[bs.size() - 2] != K) return ctx.error("inner dimensions differ: A {} and B {}", a.describe(), b.describe());
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  auto batch = broadcast_shapes(ab, bb);
  if (!batch) return ctx.error("batch dims of A {} and B {} cannot be broadcast", a.describe(), b.describe());
  Shape full = *batch;
  full.push_back(M);
  full.push_back(N);
  Tensor y(a.dtype(), full);
  int64_t batches = shape_numel(*batch);
  BroadcastWalker w(*batch, {&ab, &bb});
  bool ok = KILN_DISPATCH_NUMERIC(a.dtype(), T, {
    if constexpr (kGemmType<T>) for (int64_t i = 0; i < batches; ++i, w.next()) {
      gemm_accumulate<T>(false, false, M, N, K, T(1), a.data<T>() + w.offset(0) * M * K, K,
                         b.data<T>() + w.offset(1) * K * N, N, y.data<T>() + i * M * N, N);
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {} is not supported", dtype_name(a.dtype()));
  Shape out = *batch;
  if (!a_vec) out.push_back(M);
  if (!b_vec) out.push_back(N);
  return y.reshaped(out);
}

bool matmul_dtype_ok(DType t) { return t != DType::kString && t != DType::kBool && t != DType::kUndefined; }

// Integer matmul of (A - a_zp) and (B - b_zp) in int32; a_zp per row (axis -2 of A), b_zp per
// column (last axis of B) when 1-D.
Expected<Tensor> integer_matmul(KernelContext& ctx, size_t ai, size_t azi, size_t bi, size_t bzi) {
  const Tensor& a0 = ctx.input(ai);
  const Tensor& b0 = ctx.input(bi);
  if (!dtype_is_integer(a0.dtype()) || !dtype_is_integer(b0.dtype())) {
    return ctx.error("A and B must be 8-bit integers, got {} and {}", dtype_name(a0.dtype()), dtype_name(b0.dtype()));
  }
  const Tensor* az = ctx.has_input(azi) ? &ctx.input(azi) : nullptr;
  const Tensor* bz = ctx.has_input(bzi) ? &ctx.input(bzi) : nullptr;
  Tensor a = subtract_zero_point(a0, az, a0.rank() >= 2 ? a0.rank() - 2 : -1);
  Tensor b = subtract_zero_point(b0, bz, b0.rank() - 1);
  if (!a.valid()) return ctx.error("a_zero_point {} must be a scalar or have one value per row of A {}", az->describe(), a0.describe());
  if (!b.valid()) return ctx.error("b_zero_point {} must be a scalar or have one value per column of B {}", bz->describe(), b0.describe());
  return matmul_tensors(ctx, a, b);
}

}  // namespace

Status gemm(KernelContext& ctx) {
  const Tensor& a0 = ctx.input(0);
  const Tensor& b0 = ctx.input(1);
  if (!matmul_dtype_ok(a0.dtype())) return ctx.unsupported_error("dtype {} is not supported", dtype_name(a0.dtype()));
  if (a0.rank() != 2 || b0.rank() != 2) return ctx.error("A {} and B {} must be 2-D", a0.describe(), b0.describe());
  if (a0.dtype() != b0.dtype()) return ctx.error("A and B dtypes differ: {} and {}", dtype_name(a0.dtype()), dtype_name(b0.dtype()));
  bool ta = ctx.node().attr_int("transA", 0) != 0, tb = ctx.node().attr_int("transB", 0) != 0;
  double alpha = ctx.node().attr_float("alpha", 1.0f), beta = ctx.node().attr_float("beta", 1.0f);
  int64_t M = ta ? a0.dim(1) : a0.dim(0), K = ta ? a0.dim(0) : a0.dim(1);
  int64_t KB = tb ? b0.dim(1) : b0.dim(0), N = tb ? b0.dim(0) : b0.dim(1);
  if (K != KB) return ctx.error("inner dimensions differ: A {} (transA={}) and B {} (transB={})", a0.describe(), ta, b0.describe(), tb);
  Tensor a = to_compute(a0), b = to_compute(b0);
  Tensor y(a.dtype(), {M, N});
  if (ctx.has_input(2)) {
    Tensor c = to_compute(ctx.input(2));
    if (c.dtype() != a.dtype()) return ctx.error("C dtype {} differs from A's", dtype_name(ctx.input(2).dtype()));
    auto bshape = broadcast_shapes(c.shape(), y.shape());
    if (!bshape || *bshape != y.shape()) return ctx.error("C {} cannot be broadcast to [{}x{}]", c.describe(), M, N);
    BroadcastWalker w(y.shape(), {&c.shape()});
    KILN_DISPATCH_NUMERIC(a.dtype(), T, {
      if constexpr (!kGemmType<T>) return;
      T* yp = y.data<T>();
      const T* cp = c.data<T>();
      for (int64_t i = 0; i < M * N; ++i, w.next()) yp[i] = static_cast<T>(static_cast<double>(beta) * static_cast<double>(cp[w.offset(0)]));
    });
  }
  bool ok = KILN_DISPATCH_NUMERIC(a.dtype(), T, {
    if constexpr (!kGemmType<T>) {
      return;
    } else if constexpr (std::is_floating_point_v<T>) {
      gemm_accumulate<T>(ta, tb, M, N, K, static_cast<T>(alpha), a.data<T>(), a.dim(1), b.data<T>(), b.dim(1), y.data<T>(), N);
    } else {
      // Integers: accumulate the plain product, then scale by alpha.
      Tensor prod(a.dtype(), {M, N});
      gemm_accumulate<T>(ta, tb, M, N, K, T(1), a.data<T>(), a.dim(1), b.data<T>(), b.dim(1), prod.data<T>(), N);
      for (int64_t i = 0; i < M * N; ++i) {
        y.data<T>()[i] = static_cast<T>(y.data<T>()[i] + static_cast<T>(alpha * static_cast<double>(prod.data<T>()[i])));
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {} is not supported", dtype_name(a0.dtype()));
  ctx.set_output(0, is_half(a0.dtype()) ? cast_tensor(y, a0.dtype()) : y);
  return Status::ok();
}

Status matmul(KernelContext& ctx) {
  const Tensor& a0 = ctx.input(0);
  const Tensor& b0 = ctx.input(1);
  if (!matmul_dtype_ok(a0.dtype())) return ctx.unsupported_error("dtype {} is not supported", dtype_name(a0.dtype()));
  if (a0.dtype() != b0.dtype()) return ctx.error("A and B dtypes differ: {} and {}", dtype_name(a0.dtype()), dtype_name(b0.dtype()));
  KILN_ASSIGN_OR_RETURN(Tensor y, matmul_tensors(ctx, to_compute(a0), to_compute(b0)));
  ctx.set_output(0, is_half(a0.dtype()) ? cast_tensor(y, a0.dtype()) : y);
  return Status::ok();
}

Status matmul_integer(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Tensor y, integer_matmul(ctx, 0, 2, 1, 3));
  ctx.set_output(0, y);
  return Status::ok();
}

// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point.
Status qlinear_matmul(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Tensor acc, integer_matmul(ctx, 0, 2, 3, 5));
  const Tensor& as = ctx.input(1);
  const Tensor& bs = ctx.input(4);
  const Tensor& ys = ctx.input(6);
  if (as.numel() != 1 || ys.numel() != 1) return ctx.error("a_scale and y_scale must be scalars");
  int64_t N = acc.rank() >= 1 ? acc.dim(acc.rank() - 1) : 1;
  if (bs.numel() != 1 && bs.numel() != N) return ctx.error("b_scale {} must be a scalar or have {} values", bs.describe(), N);
  DType out_dtype = ctx.has_input(7) ? ctx.input(7).dtype() : ctx.input(0).dtype();
  double yz = ctx.has_input(7) ? static_cast<double>(ctx.input(7).as_int64(0)) : 0.0;
  Tensor y(out_dtype, acc.shape());
  const int32_t* a = acc.data<int32_t>();
  for (int64_t i = 0; i < acc.numel(); ++i) {
    float scale = static_cast<float>(as.as_double(0)) * static_cast<float>(bs.as_double(bs.numel() == 1 ? 0 : i % N)) /
                  static_cast<float>(ys.as_double(0));
    store_int(y, i, round_saturate(static_cast<double>(a[i]) * scale + yz, out_dtype));
  }
  ctx.set_output(0, y);
  return Status::ok();
}

}  // namespace kiln::reference
