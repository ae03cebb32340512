// Operator schemas: one row per operator, each with a pure shape/type inference function.
//
// Inference is a pure function of the input types (dtype + possibly symbolic shape), the node's
// attributes, and the values of inputs that are known constants. It is shared by the frontend
// (static types for `kiln info`), the planner, and the executor's consistency check.
//
//   Status infer_relu(InferContext& ctx) { return infer_same_as_input(ctx, 0); }
//   // row in a family table:  {"", "Relu", infer_relu},
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace kiln {

class InferContext {
 public:
  InferContext(const ir::Node& node, std::vector<const ir::TypeInfo*> input_types,
               std::vector<const Tensor*> input_constants);

  const ir::Node& node() const { return node_; }
  int opset() const { return node_.opset; }
  size_t num_inputs() const { return input_types_.size(); }
  bool has_input(size_t i) const { return i < input_types_.size() && input_types_[i] != nullptr; }
  const ir::TypeInfo& input_type(size_t i) const { return *input_types_[i]; }
  // The input's value when it is known before running (initializer, Constant), else nullptr.
  const Tensor* input_constant(size_t i) const {
    return i < input_constants_.size() ? input_constants_[i] : nullptr;
  }
  size_t num_outputs() const { return outputs_.size(); }
  void set_output(size_t i, ir::TypeInfo type) {
    if (i < outputs_.size()) outputs_[i] = std::move(type);
  }
  // For ops whose output value is computable from constants (Constant, Shape of a static shape):
  // lets later nodes see it as a constant.
  void set_output_constant(size_t i, Tensor value);
  std::vector<ir::TypeInfo>& outputs() { return outputs_; }
  std::vector<Tensor>& output_constants() { return output_constants_; }

  // Error naming the node: "Reshape 'r1': <message>".
  template <typename... Args>
  Status error(fmt::format_string<Args...> f, Args&&... args) const {
    return invalid_model("{}: {}", node_.label(), fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  const ir::Node& node_;
  std::vector<const ir::TypeInfo*> input_types_;
  std::vector<const Tensor*> input_constants_;
  std::vector<ir::TypeInfo> outputs_;
  std::vector<Tensor> output_constants_;  // invalid Tensor when unknown
};

using InferFn = Status (*)(InferContext&);

struct OpSchema {
  std::string_view domain;  // "" = ai.onnx
  std::string_view name;
  InferFn infer;
};

// Every operator Kiln knows, from all family tables. Lookup by (domain, op_type).
const OpSchema* find_op_schema(std::string_view domain, std::string_view name);
std::vector<const OpSchema*> all_op_schemas();

}  // namespace kiln
