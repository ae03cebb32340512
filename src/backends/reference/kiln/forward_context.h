// A KernelContext that feeds given values to another kernel and keeps what it produces, so a
// composite reference kernel (kiln.FusedConv = Conv, then add, then activation) reuses the plain
// kernels instead of re-implementing them. Also used by tests to run one kernel on literal inputs.
#pragma once

#include <memory>
#include <vector>

#include "backends/kernel.h"

namespace kiln {

class ForwardContext final : public KernelContext {
 public:
  ForwardContext(const ir::Node& node, std::vector<Value> inputs, size_t num_outputs = 1)
      : node_(node), inputs_(std::move(inputs)), outputs_(num_outputs) {}

  const ir::Node& node() const override { return node_; }
  size_t num_inputs() const override { return inputs_.size(); }
  bool has_input(size_t i) const override { return i < inputs_.size() && !inputs_[i].is_none(); }
  const Value& input_value(size_t i) const override {
    static const Value kNone;
    return i < inputs_.size() ? inputs_[i] : kNone;
  }
  size_t num_outputs() const override { return outputs_.size(); }
  bool wants_output(size_t i) const override { return i < outputs_.size(); }
  Tensor& allocate_output(size_t i, DType dtype, const Shape& shape) override {
    outputs_.at(i) = Value(Tensor(dtype, shape));
    return outputs_[i].tensor();
  }
  void set_output(size_t i, Value value) override { outputs_.at(i) = std::move(value); }
  void* scratch(size_t bytes) override {
    scratch_.push_back(Tensor(DType::kUInt8, {static_cast<int64_t>(bytes)}));
    return scratch_.back().raw();
  }
  Expected<std::vector<Value>> run_subgraph(const ir::Graph&, const std::vector<Value>&) override {
    return unsupported("{}: subgraphs are not available here", node_.label());
  }

  std::vector<Value>& outputs() { return outputs_; }
  const Tensor& output(size_t i) const { return outputs_.at(i).tensor(); }

 private:
  const ir::Node& node_;
  std::vector<Value> inputs_;
  std::vector<Value> outputs_;
  std::vector<Tensor> scratch_;
};

}  // namespace kiln
