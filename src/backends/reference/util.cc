#include "backends/reference/util.h"

namespace kiln::reference {

BroadcastWalker::BroadcastWalker(const Shape& out, const std::vector<const Shape*>& inputs)
    : out_(out), index_(out.size(), 0), offsets_(inputs.size(), 0) {
  for (const Shape* in : inputs) strides_.push_back(broadcast_strides(*in, out));
}

void BroadcastWalker::next() {
  for (int64_t d = static_cast<int64_t>(out_.size()) - 1; d >= 0; --d) {
    const size_t du = static_cast<size_t>(d);
    ++index_[du];
    for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] += strides_[k][du];
    if (index_[du] < out_[du]) return;
    for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] -= strides_[k][du] * index_[du];
    index_[du] = 0;
  }
}

}  // namespace kiln::reference
