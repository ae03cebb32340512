#pragma once

#include <string>

#include "core/status.h"

namespace onnx {
class ModelProto;
}

namespace kiln::onnx_frontend {

// Expands every call of a model-local function (ModelProto.functions) into the function body, in
// the main graph and in every subgraph, then clears ModelProto.functions. Body values are renamed
// with a per-call prefix so calls never clash; ref'd attributes take the caller's value and are
// dropped when the caller gives none (onnx 1.12's FunctionProto has no attribute defaults).
// Function opset imports missing from the model are added; a version differing from the model's
// is unsupported. `display_name` names the model file in errors.
Status inline_model_functions(onnx::ModelProto* model, const std::string& display_name);

}  // namespace kiln::onnx_frontend
