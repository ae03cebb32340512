// Loaded models by AscendCL model id: ids start at 1 and are never reused; an execution holds a
// lease on its model so aclmdlUnload (and aclFinalize) wait for in-flight executions, including
// async ones still queued on a stream.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "offline/model_runner.h"

namespace kiln::capi {

struct LoadedModel {
  uint32_t id = 0;
  std::shared_ptr<const offline::ModelRunner> runner;
  // The gear last selected by any aclmdlSetDynamic*/SetInputDynamicDims call (-1 none): per-model
  // state for aclmdlGetCurOutputDims, shared with descriptions so it outlives an unload.
  std::shared_ptr<std::atomic<int>> current_gear = std::make_shared<std::atomic<int>>(-1);

  std::mutex mu;
  std::condition_variable idle;
  int in_flight = 0;
};

// Keeps a model loaded while an execution uses it.
class ModelLease {
 public:
  ModelLease() = default;
  explicit ModelLease(std::shared_ptr<LoadedModel> m);
  ModelLease(const ModelLease&) = delete;
  ModelLease& operator=(const ModelLease&) = delete;
  ~ModelLease();
  LoadedModel* operator->() const { return model_.get(); }
  explicit operator bool() const { return model_ != nullptr; }

 private:
  std::shared_ptr<LoadedModel> model_;
};

// Registers a runner; returns its new id.
uint32_t add_model(std::shared_ptr<const offline::ModelRunner> runner);
// The loaded model with `id`, or null.
std::shared_ptr<LoadedModel> find_model(uint32_t id);
// A lease on the loaded model with `id` (empty when unknown).
std::shared_ptr<ModelLease> lease_model(uint32_t id);
// Forgets `id` and waits until no execution holds it. False when unknown.
bool remove_model(uint32_t id);

// The single-operator model directory (op_api.cc): set once per process until aclFinalize.
bool op_model_dir_set();
void set_op_model_dir(bool set);

}  // namespace kiln::capi
