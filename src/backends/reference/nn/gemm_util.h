// The one small GEMM shared by Conv, ConvTranspose, Gemm and MatMul, plus float16/bfloat16
// helpers (they compute in float32 and round on store).
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "core/tensor.h"

namespace kiln::reference {

// C[M x N] += alpha * op(A)[M x K] * op(B)[K x N], row-major with leading dimensions lda, ldb,
// ldc (elements per stored row). op(A) = A^T when ta. Loop order i-k-j over column blocks so the
// inner loop runs contiguously over rows of B and C.
template <typename T>
void gemm_accumulate(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                     int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc) {
  if (!tb) {
    constexpr int64_t kBlock = 512;
    for (int64_t j0 = 0; j0 < N; j0 += kBlock) {
      int64_t j1 = std::min(N, j0 + kBlock);
      for (int64_t i = 0; i < M; ++i) {
        T* c = C + i * ldc;
        for (int64_t k = 0; k < K; ++k) {
          T a = alpha * (ta ? A[k * lda + i] : A[i * lda + k]);
          if (a == T(0)) continue;
          const T* b = B + k * ldb;
          for (int64_t j = j0; j < j1; ++j) c[j] += a * b[j];
        }
      }
    }
    return;
  }
  // B transposed: each C element is a dot product of a row of op(A) and a stored row of B.
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      const T* b = B + j * ldb;
      T sum = T(0);
      if (!ta) {
        const T* a = A + i * lda;
        for (int64_t k = 0; k < K; ++k) sum += a[k] * b[k];
      } else {
        for (int64_t k = 0; k < K; ++k) sum += A[k * lda + i] * b[k];
      }
      C[i * ldc + j] += alpha * sum;
    }
  }
}

// True for the element types the GEMM runs on directly (not float16/bfloat16, bool, string).
template <typename T>
inline constexpr bool kGemmType = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

// float16/bfloat16 compute in float32: these map a tensor to its compute dtype and back.
inline bool is_half(DType t) { return t == DType::kFloat16 || t == DType::kBFloat16; }
inline Tensor to_compute(const Tensor& t) { return is_half(t.dtype()) ? cast_tensor(t, DType::kFloat32) : t; }
inline DType compute_dtype(DType t) { return is_half(t) ? DType::kFloat32 : t; }

}  // namespace kiln::reference
