// A Session is a loaded, checked model ready to run on the reference backend. It is immutable
// after create(); run() may be called from several threads at once (each call owns its
// activations).
//
//   KILN_ASSIGN_OR_RETURN(auto model, onnx_frontend::load_model("resnet50.onnx"));
//   KILN_ASSIGN_OR_RETURN(auto session, Session::create(model));
//   KILN_ASSIGN_OR_RETURN(auto outputs, session->run({{"input", Value(image)}}));
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/kernel.h"
#include "core/value.h"
#include "ir/graph.h"

namespace kiln {

struct SessionOptions {
  // After every kernel, re-run the op's shape inference on the concrete inputs and fail when it
  // disagrees with what the kernel produced. Costly; used by the conformance tests.
  bool verify_inference = false;
};

struct NamedValue {
  std::string name;
  Value value;
};

// Lists every node (recursing into subgraphs) whose op has no schema or no kernel, all at once.
Status check_supported(const ir::Model& model);

class Session {
 public:
  // Infers types, checks that every op is supported, and prepares the execution plan.
  static Expected<std::unique_ptr<Session>> create(std::shared_ptr<ir::Model> model,
                                                   SessionOptions options = {});
  ~Session();

  const ir::Model& model() const { return *model_; }
  // Inputs the caller must (or may, when they have an initializer default) feed.
  const std::vector<ir::Value*>& inputs() const { return model_->graph->inputs; }
  const std::vector<ir::Value*>& outputs() const { return model_->graph->outputs; }

  // Runs the model; returns the outputs in graph output order.
  Expected<std::vector<Value>> run(const std::vector<NamedValue>& inputs) const;

  struct Impl;

 private:
  Session() = default;
  std::shared_ptr<ir::Model> model_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
