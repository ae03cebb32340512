// parallel_for over OpenMP, the thread runtime oneDNN uses here, so our loops and oneDNN's share
// one pool and never oversubscribe the cores.
//
//   parallel_for(rows, [&](int64_t begin, int64_t end) { for (r = begin; r < end; ++r) ... });
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace kiln {

// Splits [0, n) into one contiguous chunk per thread (none when the work is below `grain`
// elements per thread), calling f(begin, end). f must not throw.
template <typename F>
void parallel_for(int64_t n, F&& f, int64_t grain = 1) {
  if (n <= 0) return;
  int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  int64_t useful = std::max<int64_t>(1, n / std::max<int64_t>(1, grain));
  if (threads > useful) threads = static_cast<int>(useful);
  if (threads <= 1) {
    f(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t begin = n * t / nt, end = n * (t + 1) / nt;
    if (begin < end) f(begin, end);
  }
}

}  // namespace kiln
