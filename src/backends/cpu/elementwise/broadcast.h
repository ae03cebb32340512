// Broadcast planning for the element-wise kernels: the output is walked as rows (an odometer over
// the merged outer dims) of one contiguous inner run, in which each operand is either read
// element by element or repeated (broadcast along the run). Adjacent dims merge when every
// operand broadcasts the same way in both, so bias [C] + [N,H,W,C] becomes rows = N*H*W of a
// C-long run, NCHW * [C,1,1] becomes rows = N*C of an H*W-long run with the scale repeated, and
// same-shape inputs become one run.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/parallel.h"
#include "core/shape.h"

namespace kiln::cpu::elementwise {

inline constexpr int kMaxRank = 8;
// Below this many elements the kernels run on one thread: waking the others costs more.
inline constexpr int64_t kParallelMin = int64_t{1} << 16;
// Long runs are cut into pieces of about this size so that threads can share one run.
inline constexpr int64_t kPiece = int64_t{1} << 14;

template <int K>
struct BroadcastPlan {
  int rank = 0;  // merged outer dims
  int64_t dims[kMaxRank] = {};
  int64_t strides[K][kMaxRank] = {};  // element strides of each operand in the outer dims
  int64_t inner = 1;                   // length of the contiguous run
  bool repeat[K] = {};                 // operand k is constant along the run
  int64_t rows = 1;
};

// False (caller falls back) when a rank exceeds kMaxRank or an input does not broadcast to out.
template <int K>
bool plan_broadcast(const Shape& out, const Shape* const (&in)[K], BroadcastPlan<K>& p) {
  const int r = static_cast<int>(out.size());
  if (r > kMaxRank) return false;
  int64_t stride[K][kMaxRank];
  bool full[K][kMaxRank];
  for (int k = 0; k < K; ++k) {
    const Shape& s = *in[k];
    const int pad = r - static_cast<int>(s.size());
    if (pad < 0) return false;
    int64_t st = 1;
    for (int j = r - 1; j >= 0; --j) {
      const int64_t d = j < pad ? 1 : s[static_cast<size_t>(j - pad)];
      if (d != out[static_cast<size_t>(j)] && d != 1) return false;
      full[k][j] = d != 1;
      stride[k][j] = st;
      st *= d;
    }
  }
  // Merge dims (size-1 output dims drop out) into a list whose last entry is the inner run.
  int m = 0;
  int64_t dims[kMaxRank];
  int64_t mstride[K][kMaxRank];
  bool mfull[K][kMaxRank];
  for (int j = 0; j < r; ++j) {
    const int64_t d = out[static_cast<size_t>(j)];
    if (d == 1) continue;
    bool same = m > 0;
    for (int k = 0; k < K && same; ++k) same = mfull[k][m - 1] == full[k][j];
    if (same) {
      dims[m - 1] *= d;
      for (int k = 0; k < K; ++k) mstride[k][m - 1] = stride[k][j];
      continue;
    }
    dims[m] = d;
    for (int k = 0; k < K; ++k) {
      mstride[k][m] = stride[k][j];
      mfull[k][m] = full[k][j];
    }
    ++m;
  }
  p = BroadcastPlan<K>();
  if (m == 0) return true;  // one element
  p.inner = dims[m - 1];
  for (int k = 0; k < K; ++k) p.repeat[k] = !mfull[k][m - 1];
  p.rank = m - 1;
  for (int d = 0; d < p.rank; ++d) {
    p.dims[d] = dims[d];
    p.rows *= dims[d];
    for (int k = 0; k < K; ++k) p.strides[k][d] = mfull[k][d] ? mstride[k][d] : 0;
  }
  return true;
}

// Walks the rows of a plan, keeping each operand's offset of the current row.
template <int K>
struct RowCursor {
  const BroadcastPlan<K>& p;
  int64_t idx[kMaxRank] = {};
  int64_t off[K] = {};

  RowCursor(const BroadcastPlan<K>& plan, int64_t row) : p(plan) {
    for (int d = p.rank - 1; d >= 0; --d) {
      idx[d] = row % p.dims[d];
      row /= p.dims[d];
      for (int k = 0; k < K; ++k) off[k] += idx[d] * p.strides[k][d];
    }
  }
  void next() {
    for (int d = p.rank - 1; d >= 0; --d) {
      for (int k = 0; k < K; ++k) off[k] += p.strides[k][d];
      if (++idx[d] < p.dims[d]) return;
      for (int k = 0; k < K; ++k) off[k] -= p.strides[k][d] * p.dims[d];
      idx[d] = 0;
    }
  }
};

// Calls f(off, out_offset, len): off[k] is operand k's first element of the piece (already
// advanced past `start` unless the operand repeats), out_offset the output's. Multi-threaded
// when the output has at least kParallelMin elements.
template <int K, typename F>
void for_each_run(const BroadcastPlan<K>& p, F&& f) {
  const int64_t pieces = p.inner >= 2 * kPiece ? (p.inner + kPiece - 1) / kPiece : 1;
  const int64_t piece_len = (p.inner + pieces - 1) / pieces;
  auto body = [&](int64_t u0, int64_t u1) {
    int64_t row = u0 / pieces;
    RowCursor<K> cur(p, row);
    for (int64_t u = u0; u < u1;) {
      const int64_t start = (u % pieces) * piece_len;
      const int64_t len = std::min(piece_len, p.inner - start);
      int64_t off[K];
      for (int k = 0; k < K; ++k) off[k] = cur.off[k] + (p.repeat[k] ? 0 : start);
      f(static_cast<const int64_t*>(off), row * p.inner + start, len);
      if (++u % pieces == 0 && u < u1) {
        ++row;
        cur.next();
      }
    }
  };
  const int64_t units = p.rows * pieces;
  if (p.rows * p.inner < kParallelMin) {
    body(0, units);
  } else {
    parallel_for(units, body);
  }
}

}  // namespace kiln::cpu::elementwise
