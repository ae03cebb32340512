// The one small GEMM shared by Conv, ConvTranspose, Gemm and MatMul, plus float16/bfloat16
// helpers (they compute in float32 and round on store).
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/tensor.h"

namespace kiln::reference {

// Accumulator type of the reference GEMM: float32 products are summed in double. The reference
// backend is the oracle, so it should be closer to the exact result than the engines it judges
// (float32 sums over K = 4608 terms drift by ~1e-5 in a ResNet-50, as much as two float32
// engines differ from each other).
template <typename T>
using GemmAcc = std::conditional_t<std::is_same_v<T, float>, double, T>;

// C[M x N] += alpha * op(A)[M x K] * op(B)[K x N], row-major with leading dimensions lda, ldb,
// ldc (elements per stored row). op(A) = A^T when ta. Loop order i-k-j (over cache tiles) so the
// inner loop runs contiguously over rows of B and of the accumulator tile.
template <typename T>
void gemm_accumulate(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                     int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc) {
  using Acc = GemmAcc<T>;
  if (!tb) {
    // Column blocks of kCols; inside, K in slices of kDepth and rows of C four at a time, so a
    // loaded row piece of B serves four accumulator rows while it is in cache.
    constexpr int64_t kRows = 4, kCols = 256, kDepth = 128;
    std::vector<Acc> acc(static_cast<size_t>(M * kCols));
    auto a_at = [&](int64_t i, int64_t k) { return static_cast<Acc>(ta ? A[k * lda + i] : A[i * lda + k]); };
    for (int64_t j0 = 0; j0 < N; j0 += kCols) {
      const int64_t j1 = std::min(N, j0 + kCols);
      const int64_t w = j1 - j0;
      std::fill(acc.begin(), acc.end(), Acc(0));
      for (int64_t k0 = 0; k0 < K; k0 += kDepth) {
        const int64_t k1 = std::min(K, k0 + kDepth);
        int64_t i = 0;
        for (; i + kRows <= M; i += kRows) {
          Acc* c0 = acc.data() + i * kCols;
          Acc* c1 = c0 + kCols;
          Acc* c2 = c1 + kCols;
          Acc* c3 = c2 + kCols;
          for (int64_t k = k0; k < k1; ++k) {
            const Acc a0 = a_at(i, k), a1 = a_at(i + 1, k), a2 = a_at(i + 2, k), a3 = a_at(i + 3, k);
            const T* b = B + k * ldb + j0;
            for (int64_t j = 0; j < w; ++j) {
              const Acc bj = static_cast<Acc>(b[j]);
              c0[j] += a0 * bj;
              c1[j] += a1 * bj;
              c2[j] += a2 * bj;
              c3[j] += a3 * bj;
            }
          }
        }
        for (; i < M; ++i) {  // leftover rows
          Acc* c = acc.data() + i * kCols;
          for (int64_t k = k0; k < k1; ++k) {
            const Acc a = a_at(i, k);
            const T* b = B + k * ldb + j0;
            for (int64_t j = 0; j < w; ++j) c[j] += a * static_cast<Acc>(b[j]);
          }
        }
      }
      for (int64_t i = 0; i < M; ++i) {
        T* c = C + i * ldc + j0;
        const Acc* a = acc.data() + i * kCols;
        for (int64_t j = 0; j < w; ++j) c[j] = static_cast<T>(static_cast<Acc>(c[j]) + static_cast<Acc>(alpha) * a[j]);
      }
    }
    return;
  }
  // B transposed: each C element is a dot product of a row of op(A) and a stored row of B.
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      const T* b = B + j * ldb;
      Acc sum = Acc(0);
      if (!ta) {
        const T* a = A + i * lda;
        for (int64_t k = 0; k < K; ++k) sum += static_cast<Acc>(a[k]) * static_cast<Acc>(b[k]);
      } else {
        for (int64_t k = 0; k < K; ++k) sum += static_cast<Acc>(A[k * lda + i]) * static_cast<Acc>(b[k]);
      }
      C[i * ldc + j] = static_cast<T>(static_cast<Acc>(C[i * ldc + j]) + static_cast<Acc>(alpha) * sum);
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
