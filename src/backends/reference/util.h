// Small helpers shared by reference kernels. Keep them obviously correct; speed is the CPU
// backend's job.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace kiln::reference {

// Walks every element of a broadcast output shape in row-major order and yields, for each
// input, the element offset that broadcasting maps to it.
//
//   BroadcastWalker w(out.shape(), {&a.shape(), &b.shape()});
//   for (int64_t i = 0; i < out.numel(); ++i, w.next()) y[i] = f(pa[w.offset(0)], pb[w.offset(1)]);
class BroadcastWalker {
 public:
  BroadcastWalker(const Shape& out, const std::vector<const Shape*>& inputs);
  int64_t offset(size_t input) const { return offsets_[input]; }
  void next();

 private:
  Shape out_;
  std::vector<int64_t> index_;
  std::vector<std::vector<int64_t>> strides_;  // per input, in output coordinates
  std::vector<int64_t> offsets_;
};

}  // namespace kiln::reference
