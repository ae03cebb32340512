// Static type of a graph edge: tensor / sequence / optional, element dtype, and a shape whose
// dimensions may be known numbers, named symbols ("batch") or unknown.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"

namespace kiln::ir {

struct Dim {
  int64_t value = -1;   // >= 0 when known
  std::string symbol;   // set for named symbolic dims
  Dim() = default;
  Dim(int64_t v) : value(v) {}  // NOLINT
  static Dim named(std::string s) { Dim d; d.symbol = std::move(s); return d; }
  bool known() const { return value >= 0; }
  bool operator==(const Dim& o) const { return value == o.value && symbol == o.symbol; }
  std::string str() const;  // "3", "batch", "?"
};

struct TypeInfo {
  enum class Kind { kUnknown, kTensor, kSequence, kOptional };
  Kind kind = Kind::kUnknown;
  DType elem = DType::kUndefined;      // for tensors (and the innermost tensor of seq/optional)
  std::optional<std::vector<Dim>> dims;  // nullopt: rank unknown
  std::shared_ptr<TypeInfo> inner;     // element type of a sequence/optional

  static TypeInfo tensor(DType elem, std::vector<Dim> dims);
  static TypeInfo tensor_unknown_shape(DType elem);
  static TypeInfo tensor_of(DType elem, const Shape& shape);
  static TypeInfo sequence_of(TypeInfo elem);
  static TypeInfo optional_of(TypeInfo elem);

  bool is_tensor() const { return kind == Kind::kTensor; }
  bool has_rank() const { return dims.has_value(); }
  int64_t rank() const { return dims ? static_cast<int64_t>(dims->size()) : -1; }
  // True when every dim is a known number; then `concrete()` is the shape.
  bool fully_known() const;
  Shape concrete() const;
  std::string str() const;  // "float32[batch,3,224,224]", "seq(float32[?])", ...
};

}  // namespace kiln::ir
