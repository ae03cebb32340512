// The one small GEMM shared by Conv, ConvTranspose, Gemm and MatMul, plus float16/bfloat16
// helpers (they compute in float32 and round on store).
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "core/tensor.h"

namespace kiln::reference {

// C[M x N] += alpha * op(A)[M x K] * op(B)[K x N], row-major with leading dimensions lda, ldb,
// ldc (elements per stored row). op(A) = A^T when ta. Loop order i-k-j (over cache tiles) so the
// inner loop runs contiguously over rows of B and C.
template <typename T>
void gemm_accumulate(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                     int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc) {
  if (!tb) {
    // Tiles of kRows rows of C x kCols columns x kDepth of K: each loaded row piece of B is
    // used for kRows rows of C while the tile stays in cache.
    constexpr int64_t kRows = 4, kCols = 256, kDepth = 128;
    auto a_at = [&](int64_t i, int64_t k) { return alpha * (ta ? A[k * lda + i] : A[i * lda + k]); };
    for (int64_t j0 = 0; j0 < N; j0 += kCols) {
      int64_t j1 = std::min(N, j0 + kCols);
      for (int64_t k0 = 0; k0 < K; k0 += kDepth) {
        int64_t k1 = std::min(K, k0 + kDepth);
        int64_t i = 0;
        for (; i + kRows <= M; i += kRows) {
          T* c0 = C + i * ldc;
          T* c1 = c0 + ldc;
          T* c2 = c1 + ldc;
          T* c3 = c2 + ldc;
          for (int64_t k = k0; k < k1; ++k) {
            T a0 = a_at(i, k), a1 = a_at(i + 1, k), a2 = a_at(i + 2, k), a3 = a_at(i + 3, k);
            const T* b = B + k * ldb;
            for (int64_t j = j0; j < j1; ++j) {
              T bj = b[j];
              c0[j] += a0 * bj;
              c1[j] += a1 * bj;
              c2[j] += a2 * bj;
              c3[j] += a3 * bj;
            }
          }
        }
        for (; i < M; ++i) {  // leftover rows
          T* c = C + i * ldc;
          for (int64_t k = k0; k < k1; ++k) {
            T a = a_at(i, k);
            const T* b = B + k * ldb;
            for (int64_t j = j0; j < j1; ++j) c[j] += a * b[j];
          }
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
