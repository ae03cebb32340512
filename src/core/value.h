// A runtime value flowing along a graph edge: a tensor, a sequence of tensors, or an empty
// optional. (An optional that holds an element is represented by the element itself.)
#pragma once

#include <vector>

#include "core/tensor.h"

namespace kiln {

struct Sequence {
  DType elem_type = DType::kUndefined;
  std::vector<Tensor> items;
};

class Value {
 public:
  enum class Kind { kNone, kTensor, kSequence };

  Value() = default;  // empty optional / absent
  Value(Tensor t) : kind_(Kind::kTensor), tensor_(std::move(t)) {}        // NOLINT
  Value(Sequence s) : kind_(Kind::kSequence), sequence_(std::move(s)) {}  // NOLINT

  Kind kind() const { return kind_; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_tensor() const { return kind_ == Kind::kTensor; }
  bool is_sequence() const { return kind_ == Kind::kSequence; }
  const Tensor& tensor() const { return tensor_; }
  Tensor& tensor() { return tensor_; }
  const Sequence& sequence() const { return sequence_; }
  Sequence& sequence() { return sequence_; }

 private:
  Kind kind_ = Kind::kNone;
  Tensor tensor_;
  Sequence sequence_;
};

}  // namespace kiln
