// ONNX model import: .onnx file (protobuf) -> ir::Model.
//
//   KILN_ASSIGN_OR_RETURN(std::shared_ptr<ir::Model> model, onnx_frontend::load_model("m.onnx"));
#pragma once

#include <memory>
#include <string>

#include "frontend/onnx/tensor_proto.h"
#include "ir/graph.h"

namespace kiln::onnx_frontend {

// Loads the model and its external data (resolved next to the file). Validates the structure
// (every value defined, no cycles, opsets in range) but does not infer types; see
// passes/infer_types.h.
Expected<std::shared_ptr<ir::Model>> load_model(const std::string& path);
// Same from bytes in memory; `base_dir` resolves external data.
Expected<std::shared_ptr<ir::Model>> load_model_from_bytes(const void* data, size_t size,
                                                           const std::string& base_dir,
                                                           const std::string& display_name);

struct LoadOptions {
  // When set, every external-data tensor (initializers and tensor attributes, subgraphs included)
  // is resolved through it instead of files next to the model (the `.om` reader's mapping).
  ExternalDataResolver external_data;
};
Expected<std::shared_ptr<ir::Model>> load_model_from_bytes(const void* data, size_t size,
                                                           const std::string& base_dir,
                                                           const std::string& display_name,
                                                           const LoadOptions& options);

}  // namespace kiln::onnx_frontend
