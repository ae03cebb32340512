// Strided copies: the common core of Transpose (innermost dim kept), Slice, Expand, Tile.
#include <algorithm>

#include "backends/cpu/tensor/tensor_util.h"
#include "core/parallel.h"

namespace kiln::cpu::tensor {

namespace {

struct Bytes16 {
  uint64_t lo, hi;
};

// One row: n elements at source stride `s` (elements) into contiguous dst.
template <typename E>
void copy_row(const E* src, int64_t s, int64_t n, E* dst) {
  if (s == 0) {
    std::fill(dst, dst + n, src[0]);
  } else {
    for (int64_t j = 0; j < n; ++j) dst[j] = src[j * s];
  }
}

void row(const char* src, int64_t s, int64_t n, char* dst, size_t esize) {
  if (s == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * esize);
    return;
  }
  switch (esize) {
    case 1: copy_row(reinterpret_cast<const uint8_t*>(src), s, n, reinterpret_cast<uint8_t*>(dst)); break;
    case 2: copy_row(reinterpret_cast<const uint16_t*>(src), s, n, reinterpret_cast<uint16_t*>(dst)); break;
    case 4: copy_row(reinterpret_cast<const uint32_t*>(src), s, n, reinterpret_cast<uint32_t*>(dst)); break;
    case 8: copy_row(reinterpret_cast<const uint64_t*>(src), s, n, reinterpret_cast<uint64_t*>(dst)); break;
    case 16: copy_row(reinterpret_cast<const Bytes16*>(src), s, n, reinterpret_cast<Bytes16*>(dst)); break;
    default:
      for (int64_t j = 0; j < n; ++j) std::memcpy(dst + j * esize, src + j * s * esize, esize);
  }
}

}  // namespace

void parallel_memcpy(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  constexpr int64_t kChunk = 4096;
  const int64_t chunks = (static_cast<int64_t>(bytes) + kChunk - 1) / kChunk;
  parallel_for(
      chunks,
      [&](int64_t b, int64_t e) {
        const size_t begin = static_cast<size_t>(b * kChunk);
        const size_t end = std::min(bytes, static_cast<size_t>(e * kChunk));
        std::memcpy(static_cast<char*>(dst) + begin, static_cast<const char*>(src) + begin, end - begin);
      },
      kParallelBytes / kChunk);
}

void strided_copy(const void* src, void* dst, size_t esize, StridedCopy c) {
  // Simplify: drop length-1 dims, merge a dim into the next when they walk the source as one.
  StridedCopy s;
  for (int d = 0; d < c.rank; ++d) {
    if (c.shape[d] == 0) return;
    if (c.shape[d] == 1) continue;
    if (s.rank > 0 && s.stride[s.rank - 1] == c.stride[d] * c.shape[d]) {
      s.shape[s.rank - 1] *= c.shape[d];
      s.stride[s.rank - 1] = c.stride[d];
      continue;
    }
    s.shape[s.rank] = c.shape[d];
    s.stride[s.rank] = c.stride[d];
    ++s.rank;
  }
  const char* in = static_cast<const char*>(src);
  char* out = static_cast<char*>(dst);
  if (s.rank == 0) {
    std::memcpy(out, in, esize);
    return;
  }
  const int64_t inner = s.shape[s.rank - 1], inner_stride = s.stride[s.rank - 1];
  if (s.rank == 1 && inner_stride == 1) {
    parallel_memcpy(out, in, static_cast<size_t>(inner) * esize);
    return;
  }
  int64_t rows = 1;
  for (int d = 0; d + 1 < s.rank; ++d) rows *= s.shape[d];
  const int64_t row_bytes = inner * static_cast<int64_t>(esize);
  parallel_for(
      rows,
      [&](int64_t r0, int64_t r1) {
        // Multi-index of row r0 over the outer dims, then an odometer.
        int64_t idx[kMaxRank] = {};
        int64_t off = 0;
        for (int64_t d = s.rank - 2, r = r0; d >= 0; --d) {
          idx[d] = r % s.shape[d];
          r /= s.shape[d];
          off += idx[d] * s.stride[d];
        }
        for (int64_t r = r0; r < r1; ++r) {
          row(in + off * static_cast<int64_t>(esize), inner_stride, inner, out + r * row_bytes, esize);
          for (int64_t d = s.rank - 2; d >= 0; --d) {
            off += s.stride[d];
            if (++idx[d] < s.shape[d]) break;
            off -= s.stride[d] * s.shape[d];
            idx[d] = 0;
          }
        }
      },
      std::max<int64_t>(1, kParallelBytes / std::max<int64_t>(1, row_bytes)));
}

}  // namespace kiln::cpu::tensor
