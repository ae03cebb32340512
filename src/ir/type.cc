#include "ir/type.h"

namespace kiln::ir {

std::string Dim::str() const {
  if (known()) return std::to_string(value);
  if (!symbol.empty()) return symbol;
  return "?";
}

TypeInfo TypeInfo::tensor(DType elem, std::vector<Dim> dims) {
  TypeInfo t;
  t.kind = Kind::kTensor;
  t.elem = elem;
  t.dims = std::move(dims);
  return t;
}

TypeInfo TypeInfo::tensor_unknown_shape(DType elem) {
  TypeInfo t;
  t.kind = Kind::kTensor;
  t.elem = elem;
  return t;
}

TypeInfo TypeInfo::tensor_of(DType elem, const Shape& shape) {
  std::vector<Dim> dims(shape.begin(), shape.end());
  return tensor(elem, std::move(dims));
}

TypeInfo TypeInfo::sequence_of(TypeInfo elem) {
  TypeInfo t;
  t.kind = Kind::kSequence;
  t.elem = elem.elem;
  t.inner = std::make_shared<TypeInfo>(std::move(elem));
  return t;
}

TypeInfo TypeInfo::optional_of(TypeInfo elem) {
  TypeInfo t;
  t.kind = Kind::kOptional;
  t.elem = elem.elem;
  t.inner = std::make_shared<TypeInfo>(std::move(elem));
  return t;
}

bool TypeInfo::fully_known() const {
  if (kind != Kind::kTensor || !dims) return false;
  for (const Dim& d : *dims) {
    if (!d.known()) return false;
  }
  return true;
}

Shape TypeInfo::concrete() const {
  Shape s;
  if (dims) {
    for (const Dim& d : *dims) s.push_back(d.value);
  }
  return s;
}

std::string TypeInfo::str() const {
  switch (kind) {
    case Kind::kUnknown:
      return "?";
    case Kind::kSequence:
      return "seq(" + (inner ? inner->str() : std::string("?")) + ")";
    case Kind::kOptional:
      return "optional(" + (inner ? inner->str() : std::string("?")) + ")";
    case Kind::kTensor:
      break;
  }
  std::string s(dtype_name(elem));
  if (!dims) return s + "[*]";
  s += "[";
  for (size_t i = 0; i < dims->size(); ++i) {
    if (i) s += ",";
    s += (*dims)[i].str();
  }
  return s + "]";
}

}  // namespace kiln::ir
