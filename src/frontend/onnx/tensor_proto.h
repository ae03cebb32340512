// Conversions between ONNX protobuf messages (TensorProto, SequenceProto, OptionalProto,
// TypeProto) and Kiln tensors/values/types.
#pragma once

#include <functional>
#include <string>

#include "core/value.h"
#include "ir/type.h"

namespace onnx {
class TensorProto;
class TypeProto;
}  // namespace onnx

namespace kiln::onnx_frontend {

// `base_dir` resolves external data locations; `what` names the tensor in error messages as a
// phrase ("initializer 'W'", "node n attribute 'value'", a file path).
Expected<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir,
                                   const std::string& what);

// One tensor's external_data entry, already checked: `length` (when given) equals the bytes the
// dims need, `bytes` is that size.
struct ExternalDataRef {
  std::string location;
  size_t offset = 0;
  size_t bytes = 0;
  DType dtype = DType::kUndefined;
  Shape shape;
  std::string what;  // names the tensor in messages
};
// Replaces the file lookup of external data: the `.om` reader resolves locations into its own
// mapping (and rejects every other location), so initializers view the mapped file.
using ExternalDataResolver = std::function<Expected<Tensor>(const ExternalDataRef&)>;
// With a resolver (may be null: same as above), external data goes through it, not the file system.
Expected<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir,
                                   const std::string& what, const ExternalDataResolver* resolver);
void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* proto);

ir::TypeInfo type_from_proto(const onnx::TypeProto& proto);

// Reads a serialized TensorProto/SequenceProto/OptionalProto file (.pb) as the kind `expected`
// names (kUnknown: TensorProto).
Expected<Value> read_value_pb(const std::string& path, const ir::TypeInfo& expected);
Status write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name);

}  // namespace kiln::onnx_frontend
