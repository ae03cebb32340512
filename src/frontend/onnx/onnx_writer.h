// IR -> ONNX export: an ir::Model (typically after the optimization passes) as a ModelProto, with
// every node attribute kind (subgraphs included), the inferred types as value_info, and the opset
// imports of every domain the nodes use (the "kiln" domain of fused ops included). The `.om`
// writer stores this as its GRAPH section; the ONNX loader reads it back.
//
//   ExternalWeights sink = [&](const Tensor& t) -> Expected<ExternalRef> { ... };
//   KILN_ASSIGN_OR_RETURN(std::string bytes, onnx_frontend::write_model_bytes(model, {sink}));
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ir/graph.h"

namespace kiln::onnx_frontend {

// Where a tensor's bytes were put: becomes the TensorProto's external_data (location, offset,
// length).
struct ExternalRef {
  std::string location;
  uint64_t offset = 0;
};
// Places a tensor's bytes somewhere else (e.g. the `.om` WEIGHTS section) and says where. Not
// called for string tensors (ONNX has no external string data): those stay inline.
using ExternalWeights = std::function<Expected<ExternalRef>(const Tensor&)>;

struct WriteOptions {
  // Null: tensors are written inline as raw_data.
  ExternalWeights external;
};

// The model as serialized ModelProto bytes.
Expected<std::string> write_model_bytes(const ir::Model& model, const WriteOptions& options = {});

}  // namespace kiln::onnx_frontend
