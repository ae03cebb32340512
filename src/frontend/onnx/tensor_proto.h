// Conversions between ONNX protobuf messages (TensorProto, SequenceProto, OptionalProto,
// TypeProto) and Kiln tensors/values/types.
#pragma once

#include <string>

#include "core/value.h"
#include "ir/type.h"

namespace onnx {
class TensorProto;
class TypeProto;
}  // namespace onnx

namespace kiln::onnx_frontend {

// `base_dir` resolves external data locations; `what` names the tensor in error messages.
Expected<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir,
                                   const std::string& what);
void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* proto);

ir::TypeInfo type_from_proto(const onnx::TypeProto& proto);

// Reads a serialized TensorProto/SequenceProto/OptionalProto file (.pb) as the kind `expected`
// names (kUnknown: TensorProto).
Expected<Value> read_value_pb(const std::string& path, const ir::TypeInfo& expected);
Status write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name);

}  // namespace kiln::onnx_frontend
