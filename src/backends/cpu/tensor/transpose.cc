// Transpose kernel: plan (collapse dims), then either a strided memcpy copy or blocked 2-D tiles.
#include "backends/cpu/tensor/transpose.h"

#include <algorithm>

#include "backends/cpu/tensor/tensor_ops.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "core/cpu_features.h"
#include "core/parallel.h"

namespace kiln::cpu::tensor {

namespace {

template <typename E>
void tile_scalar(const E* a, int64_t lda, E* b, int64_t ldb, int64_t rows, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t i = 0; i < rows; ++i) b[j * ldb + i] = a[i * lda + j];
  }
}

struct Bytes16 {
  uint64_t lo, hi;
};

using TileFn = void (*)(const void*, int64_t, void*, int64_t, int64_t, int64_t);

template <typename E>
void tile_any(const void* a, int64_t lda, void* b, int64_t ldb, int64_t rows, int64_t cols) {
  tile_scalar(static_cast<const E*>(a), lda, static_cast<E*>(b), ldb, rows, cols);
}

void tile_4byte(const void* a, int64_t lda, void* b, int64_t ldb, int64_t rows, int64_t cols) {
  if (cpu_isa() >= Isa::kAvx2) {
    transpose_tile_4byte_avx2(static_cast<const uint32_t*>(a), lda, static_cast<uint32_t*>(b), ldb, rows, cols);
  } else {
    transpose_tile_4byte_scalar(static_cast<const uint32_t*>(a), lda, static_cast<uint32_t*>(b), ldb, rows, cols);
  }
}

TileFn tile_for(size_t esize) {
  switch (esize) {
    case 1: return tile_any<uint8_t>;
    case 2: return tile_any<uint16_t>;
    case 4: return tile_4byte;
    case 8: return tile_any<uint64_t>;
    case 16: return tile_any<Bytes16>;
    default: return nullptr;
  }
}

}  // namespace

void transpose_tile_4byte_scalar(const uint32_t* a, int64_t lda, uint32_t* b, int64_t ldb, int64_t rows, int64_t cols) {
  tile_scalar(a, lda, b, ldb, rows, cols);
}

void transpose_interleave3_4byte_scalar(const uint32_t* a, int64_t lda, uint32_t* b, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) {
    b[3 * j] = a[j];
    b[3 * j + 1] = a[lda + j];
    b[3 * j + 2] = a[2 * lda + j];
  }
}

void transpose_bytes(const void* src, void* dst, size_t esize, int rank, const int64_t* shape, const int64_t* perm) {
  // 1) Drop length-1 input dims (they do not move data); renumber the rest.
  int64_t newid[kMaxRank];
  int64_t dims[kMaxRank];
  int k = 0;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return;
    newid[d] = shape[d] == 1 ? -1 : k;
    if (shape[d] != 1) dims[k++] = shape[d];
  }
  int64_t q[kMaxRank];
  int m = 0;
  for (int i = 0; i < rank; ++i) {
    if (newid[perm[i]] >= 0) q[m++] = newid[perm[i]];
  }
  // 2) Merge output-adjacent dims that are input-adjacent too: group g covers input dims
  //    [first[g], first[g] + len[g]).
  int64_t gfirst[kMaxRank], glen[kMaxRank];
  int ng = 0;
  for (int i = 0; i < m; ++i) {
    if (ng > 0 && q[i] == gfirst[ng - 1] + glen[ng - 1]) {
      ++glen[ng - 1];
    } else {
      gfirst[ng] = q[i];
      glen[ng] = 1;
      ++ng;
    }
  }
  // Collapsed input: groups in input order. cdim[j] = size of the input group j; cperm[i] = the
  // input group that output position i reads.
  int order[kMaxRank];
  for (int g = 0; g < ng; ++g) order[g] = g;
  // Insertion sort (ng <= kMaxRank): std::sort here trips GCC 12's -Warray-bounds under ASan,
  // whose unrolled 16-element threshold it cannot prove unreachable.
  for (int i = 1; i < ng; ++i) {
    const int v = order[i];
    int j = i;
    for (; j > 0 && gfirst[order[j - 1]] > gfirst[v]; --j) order[j] = order[j - 1];
    order[j] = v;
  }
  int64_t cdim[kMaxRank], cperm[kMaxRank];
  for (int j = 0; j < ng; ++j) {
    const int g = order[j];
    cdim[j] = 1;
    for (int64_t d = gfirst[g]; d < gfirst[g] + glen[g]; ++d) cdim[j] *= dims[d];
    cperm[g] = j;
  }
  int64_t istride[kMaxRank];
  {
    int64_t s = 1;
    for (int j = ng - 1; j >= 0; --j) {
      istride[j] = s;
      s *= cdim[j];
    }
  }
  // 3) Innermost input dim stays innermost (or nothing moves): strided row copies (memcpy).
  if (ng <= 1 || cperm[ng - 1] == ng - 1) {
    StridedCopy c;
    c.rank = ng;
    for (int i = 0; i < ng; ++i) {
      c.shape[i] = cdim[cperm[i]];
      c.stride[i] = istride[cperm[i]];
    }
    if (ng == 0) {
      std::memcpy(dst, src, esize);
      return;
    }
    strided_copy(src, dst, esize, c);
    return;
  }
  // 4) 2-D tiles: output innermost reads input dim p (stride ps), input innermost dim (length
  //    lq) lands at output position kq (output stride os_q). Other dims are an outer loop.
  int64_t ostride[kMaxRank];
  {
    int64_t s = 1;
    for (int i = ng - 1; i >= 0; --i) {
      ostride[i] = s;
      s *= cdim[cperm[i]];
    }
  }
  const int64_t p = cperm[ng - 1];
  const int64_t lp = cdim[p], ps = istride[p];
  int kq = 0;
  while (cperm[kq] != ng - 1) ++kq;
  const int64_t lq = cdim[ng - 1], os_q = ostride[kq];
  int64_t odim[kMaxRank], oin[kMaxRank], oout[kMaxRank];  // outer dims: length, in/out strides
  int no = 0;
  for (int i = 0; i < ng - 1; ++i) {
    if (i == kq) continue;
    odim[no] = cdim[cperm[i]];
    oin[no] = istride[cperm[i]];
    oout[no] = ostride[i];
    ++no;
  }
  int64_t outer = 1;
  for (int i = 0; i < no; ++i) outer *= odim[i];
  if (esize == 4 && lp == 3 && os_q == 3) {
    // Three rows interleaved into contiguous output rows (an image's colour planes, NCHW -> NHWC):
    // one pass over the columns in chunks instead of 3 x 64 tiles.
    constexpr int64_t kChunk = 4096;
    const int64_t chunks = (lq + kChunk - 1) / kChunk;
    const auto* in = static_cast<const uint32_t*>(src);
    auto* out = static_cast<uint32_t*>(dst);
    const bool avx2 = cpu_isa() >= Isa::kAvx2;
    parallel_for(
        outer * chunks,
        [&](int64_t w0, int64_t w1) {
          for (int64_t w = w0; w < w1; ++w) {
            int64_t o = w / chunks, ioff = 0, ooff = 0;
            for (int i = no - 1; i >= 0; --i) {
              const int64_t x = o % odim[i];
              o /= odim[i];
              ioff += x * oin[i];
              ooff += x * oout[i];
            }
            const int64_t q0 = (w % chunks) * kChunk, nq = std::min(kChunk, lq - q0);
            if (avx2) {
              transpose_interleave3_4byte_avx2(in + ioff + q0, ps, out + ooff + q0 * 3, nq);
            } else {
              transpose_interleave3_4byte_scalar(in + ioff + q0, ps, out + ooff + q0 * 3, nq);
            }
          }
        },
        std::max<int64_t>(1, kParallelBytes / (3 * kChunk * 4)));
    return;
  }
  constexpr int64_t kTile = 64;
  const int64_t tp = (lp + kTile - 1) / kTile, tq = (lq + kTile - 1) / kTile;
  const TileFn tile = tile_for(esize);
  const char* in = static_cast<const char*>(src);
  char* out = static_cast<char*>(dst);
  const int64_t es = static_cast<int64_t>(esize);
  parallel_for(
      outer * tp * tq,
      [&](int64_t w0, int64_t w1) {
        for (int64_t w = w0; w < w1; ++w) {
          int64_t o = w / (tp * tq), bp = (w / tq) % tp, bq = w % tq;
          int64_t ioff = 0, ooff = 0;
          for (int i = no - 1; i >= 0; --i) {
            const int64_t x = o % odim[i];
            o /= odim[i];
            ioff += x * oin[i];
            ooff += x * oout[i];
          }
          const int64_t p0 = bp * kTile, q0 = bq * kTile;
          const int64_t np = std::min(kTile, lp - p0), nq = std::min(kTile, lq - q0);
          // A[ip][iq] = in[ioff + ip*ps + iq]; B[iq][ip] = out[ooff + iq*os_q + ip].
          const char* a = in + (ioff + p0 * ps + q0) * es;
          char* b = out + (ooff + q0 * os_q + p0) * es;
          if (tile) {
            tile(a, ps, b, os_q, np, nq);
          } else {
            for (int64_t j = 0; j < nq; ++j) {
              for (int64_t i = 0; i < np; ++i) std::memcpy(b + (j * os_q + i) * es, a + (i * ps + j) * es, esize);
            }
          }
        }
      },
      std::max<int64_t>(1, kParallelBytes / (kTile * kTile * es)));
}

namespace {

// The perm attribute is parsed once at prepare; run() only checks it against the input's rank.
class TransposeKernel : public OpKernel {
 public:
  explicit TransposeKernel(std::vector<int64_t> perm) : perm_(std::move(perm)) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    if (!is_pod(x.dtype()) || rank > kMaxRank) return reference::transpose(ctx);
    int64_t perm[kMaxRank];
    if (perm_.empty()) {
      for (int64_t i = 0; i < rank; ++i) perm[i] = rank - 1 - i;
    } else {
      if (static_cast<int64_t>(perm_.size()) != rank) return reference::transpose(ctx);  // words the error
      bool seen[kMaxRank] = {};
      for (int64_t i = 0; i < rank; ++i) {
        int64_t p = perm_[static_cast<size_t>(i)];
        if (p < 0) p += rank;
        if (p < 0 || p >= rank || seen[p]) return reference::transpose(ctx);
        seen[p] = true;
        perm[i] = p;
      }
    }
    Shape out(static_cast<size_t>(rank));
    for (int64_t i = 0; i < rank; ++i) out[static_cast<size_t>(i)] = x.dim(perm[i]);
    Tensor& y = ctx.allocate_output_uninit(0, x.dtype(), out);
    if (y.numel() == 0) return Status::ok();
    transpose_bytes(x.raw(), y.raw(), dtype_size(x.dtype()), static_cast<int>(rank), x.shape().data(), perm);
    return Status::ok();
  }

 private:
  std::vector<int64_t> perm_;
};

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_transpose(const PrepareContext& pctx) {
  if (!input_dtype_ok(pctx, 0, is_pod)) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<TransposeKernel>(pctx.node.attr_ints("perm")));
}

}  // namespace kiln::cpu::tensor
