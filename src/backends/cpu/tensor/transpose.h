// Transpose of any POD tensor: dims collapsed, memcpy runs when the innermost dim stays
// innermost, cache-blocked 2-D tiles (8x8 AVX2 register transposes for 4-byte types) otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backends/cpu/tensor/tensor_util.h"

namespace kiln::cpu::tensor {

// dst = transpose(src of shape `shape`, perm) for `rank` <= kMaxRank dims, esize-byte elements.
void transpose_bytes(const void* src, void* dst, size_t esize, int rank, const int64_t* shape, const int64_t* perm);

// B[j][i] = A[i][j] for i < rows, j < cols (strides lda / ldb in elements): the tile kernels.
// Exposed so tests can run every ISA variant directly.
void transpose_tile_4byte_scalar(const uint32_t* a, int64_t lda, uint32_t* b, int64_t ldb, int64_t rows, int64_t cols);
void transpose_tile_4byte_avx2(const uint32_t* a, int64_t lda, uint32_t* b, int64_t ldb, int64_t rows, int64_t cols);
// The same for 3 rows into a contiguous output (ldb = 3): b[3j + i] = a[i * lda + j], an image's
// three colour planes interleaved (NCHW -> NHWC). A 3-row tile would leave the 8x8 kernel idle.
void transpose_interleave3_4byte_scalar(const uint32_t* a, int64_t lda, uint32_t* b, int64_t cols);
void transpose_interleave3_4byte_avx2(const uint32_t* a, int64_t lda, uint32_t* b, int64_t cols);

}  // namespace kiln::cpu::tensor
