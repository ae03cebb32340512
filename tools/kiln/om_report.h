// Human and JSON views of models for `atc --mode=6` / `--display_model_info=1`, `atc --mode=1`
// and `kiln info x.om` (../shared/spec/atc-cli.md §1.2).
#pragma once

#include <string>

#include "core/dtype.h"
#include "core/status.h"
#include "offline/offline_model.h"

namespace kiln::tools {

// AscendCL aclDataType number and name of a dtype ("ACL_FLOAT" 0, "ACL_FLOAT16" 1, ...).
int acl_dtype_code(DType t);
const char* acl_dtype_name(DType t);

// The mode-6 block, word for word, values filled from the model.
std::string model_info_block(const offline::OfflineModel& om);

// Mode 1: JSON of an .om (metadata + graph) or of an ONNX model (inputs, outputs, graph).
std::string om_to_json(const offline::OfflineModel& om);
Expected<std::string> onnx_to_json(const std::string& path);

// `kiln info x.om`: everything stored, then the op histogram (and the graph text with `graph`).
void print_om_info(const std::string& path, const offline::OfflineModel& om, bool graph);

}  // namespace kiln::tools
