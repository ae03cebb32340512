#include "ops/control/control_ops.h"

namespace kiln {

ir::TypeInfo union_types(const ir::TypeInfo& a, const ir::TypeInfo& b) {
  using Kind = ir::TypeInfo::Kind;
  if (a.kind != b.kind) return {};
  if (a.kind == Kind::kUnknown) return {};
  if (a.kind == Kind::kSequence || a.kind == Kind::kOptional) {
    ir::TypeInfo inner;
    if (a.inner && b.inner) inner = union_types(*a.inner, *b.inner);
    return a.kind == Kind::kSequence ? ir::TypeInfo::sequence_of(inner) : ir::TypeInfo::optional_of(inner);
  }
  ir::TypeInfo out;
  out.kind = Kind::kTensor;
  out.elem = a.elem == b.elem ? a.elem : DType::kUndefined;
  if (a.dims && b.dims && a.dims->size() == b.dims->size()) {
    std::vector<ir::Dim> dims(a.dims->size());
    for (size_t i = 0; i < dims.size(); ++i) {
      if ((*a.dims)[i] == (*b.dims)[i]) dims[i] = (*a.dims)[i];
    }
    out.dims = std::move(dims);
  }
  return out;
}

ir::TypeInfo element_type(const ir::TypeInfo& t) {
  using Kind = ir::TypeInfo::Kind;
  if (t.kind == Kind::kTensor) return t;
  if ((t.kind == Kind::kSequence || t.kind == Kind::kOptional) && t.inner) return *t.inner;
  return {};
}

}  // namespace kiln
