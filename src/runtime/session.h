// A Session is a loaded, checked model ready to run on the reference backend. It is immutable
// after create(); run() may be called from several threads at once (each call owns its
// activations).
//
//   KILN_ASSIGN_OR_RETURN(auto model, onnx_frontend::load_model("resnet50.onnx"));
//   KILN_ASSIGN_OR_RETURN(auto session, Session::create(model));
//   KILN_ASSIGN_OR_RETURN(auto outputs, session->run({{"input", Value(image)}}));
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/kernel.h"
#include "core/value.h"
#include "ir/graph.h"

namespace kiln {

struct MemoryPlan;
struct BatchSplit;

enum class Backend { kReference, kCpu };

struct SessionOptions {
  // kCpu: graph passes + optimized kernels (oneDNN and our own), reference kernels for the rest.
  // kReference: the model as written, on the obviously-correct kernels (the oracle).
  Backend backend = Backend::kCpu;
  // Run the optimization passes (kCpu only).
  bool optimize = true;
  // Passes to skip by name (see passes/pipeline.cc).
  std::vector<std::string> disabled_passes;
  // Intra-op threads; 0 = physical cores.
  int threads = 0;
  // Run a batched model image by image, one image per thread at a time, when its images never
  // meet (runtime/batch_split.h decides; kCpu only). Off: every node runs the whole batch.
  bool batch_split = true;
  // Concrete shapes for inputs with symbolic dims ("x" -> {1, 3, 640, 640}), fixed before the
  // passes run so the plan is shape-static (like ORT's free-dimension overrides).
  std::map<std::string, Shape> input_shapes;
  // After every kernel, re-run the op's shape inference on the concrete inputs and fail when it
  // disagrees with what the kernel produced. Costly; used by the conformance tests.
  bool verify_inference = false;
  // The top-level graph's memory plan, resolved against the model given to create() (an offline
  // model's stored plan): used instead of planning again. Null = plan_memory(). kCpu only.
  std::shared_ptr<const MemoryPlan> memory_plan;
  // Prepacked kernel data (an offline model's PACKED section) for the top-level graph's nodes,
  // by packed_key(node). Null = every kernel packs its constants itself. kCpu only.
  std::shared_ptr<const PackedStore> packed;
};

// Per-node timing of one run (top-level graph nodes, in execution order).
struct RunProfile {
  std::vector<int64_t> node_ns;
};

struct NamedValue {
  std::string name;
  Value value;
};

// Lists every node (recursing into subgraphs) whose op has no schema or no kernel, all at once.
Status check_supported(const ir::Model& model);

class Session {
 public:
  // Infers types, checks that every op is supported, optimizes (the model is rewritten in place:
  // do not share it with another session) and prepares the execution plan.
  static Expected<std::unique_ptr<Session>> create(std::shared_ptr<ir::Model> model,
                                                   SessionOptions options = {});
  ~Session();

  const ir::Model& model() const { return *model_; }
  // Inputs the caller must (or may, when they have an initializer default) feed.
  const std::vector<ir::Value*>& inputs() const { return model_->graph->inputs; }
  const std::vector<ir::Value*>& outputs() const { return model_->graph->outputs; }

  // Runs the model; returns the outputs in graph output order.
  // With `profile`, each top-level node's wall time is recorded (with a batch split: summed over
  // the images and divided by the threads that ran them, so the node times still add up to about
  // the run's wall time). `threads` > 0 overrides the
  // session's intra-op thread count for this call (concurrent runs share the cores).
  Expected<std::vector<Value>> run(const std::vector<NamedValue>& inputs, RunProfile* profile = nullptr,
                                   int threads = 0) const;

  const SessionOptions& options() const;
  // The activation arena plan of the top-level graph (runtime/memory_plan.h); with a batch split,
  // the plan of one image (each running image has its own arena).
  const MemoryPlan& memory_plan() const;
  // Whether runs go in sub-batches (batch > 1; one image each by default) or why not
  // (runtime/batch_split.h).
  const BatchSplit& batch_split() const;
  // Which implementation runs each top-level node: "cpu" (prepared kernel) or "reference".
  std::string kernel_kind(const ir::Node& node) const;
  // The prepared top-level kernels' packed constant data (OpKernel::export_packed) by
  // packed_key(node), for an offline model's PACKED section.
  std::vector<std::pair<std::string, std::string>> export_packed() const;

  struct Impl;

 private:
  Session() = default;
  std::shared_ptr<ir::Model> model_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
