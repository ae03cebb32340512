// aclmdlExecute / aclmdlExecuteAsync (spec §5.5): call-time checks, gear selection, and the run
// on caller memory (offline::ModelRunner). The async form captures buffers and gear at submission
// and runs on the stream's worker; a failing run logs why and reports 507011 at synchronisation.
#include <cstring>

#include "capi/capi.h"
#include "capi/mdl_common.h"
#include "capi/model_handles.h"
#include "capi/model_registry.h"

using namespace kiln;

namespace {

struct Execution {
  std::shared_ptr<capi::ModelLease> lease;
  std::vector<offline::InBuffer> inputs;
  std::vector<offline::OutBuffer> outputs;
  int gear = -1;
};

// The gear of an execution: the one recorded in the input dataset by a setter; else the values in
// the `ascend_mbatch_shape_data` buffer when they name a gear; else the largest.
int select_gear(const offline::ModelRunner& runner, const aclmdlDataset& input) {
  const offline::Gears& gears = runner.meta().gears;
  if (!offline::has_gears(gears)) return -1;
  if (!input.gear.empty()) {
    if (int g = offline::find_gear(gears, input.gear); g >= 0) return g;
  }
  const int index = capi::gear_input_index(runner.meta());
  const size_t k = gears.values.front().size();
  if (index >= 0 && static_cast<size_t>(index) < input.buffers.size()) {
    const aclDataBuffer* b = input.buffers[static_cast<size_t>(index)];
    if (capi::live_buffers().live(b) && b->data && b->size >= 4 * k) {
      std::vector<int64_t> values(k);
      for (size_t j = 0; j < k; ++j) {
        uint32_t v;
        std::memcpy(&v, static_cast<const uint8_t*>(b->data) + 4 * j, 4);
        values[j] = v;
      }
      if (int g = offline::find_gear(gears, values); g >= 0) return g;
    }
  }
  return runner.default_gear();
}

aclError prepare(uint32_t modelId, const aclmdlDataset* input, aclmdlDataset* output, Execution* ex) {
  if (!capi::initialized()) return capi::fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
  ex->lease = capi::lease_model(modelId);
  if (!*ex->lease) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
  if (!capi::live_datasets().live(input)) return capi::fail(ACL_ERROR_INVALID_PARAM, "input dataset is NULL or not a live dataset");
  if (!capi::live_datasets().live(output)) return capi::fail(ACL_ERROR_INVALID_PARAM, "output dataset is NULL or not a live dataset");
  const offline::ModelRunner& runner = *(*ex->lease)->runner;
  const offline::Metadata& meta = runner.meta();
  if (input->buffers.size() != meta.inputs.size()) {
    return capi::fail(ACL_ERROR_MODEL_INPUT_NOT_MATCH, "the input dataset has {} buffers, model {} has {} inputs",
                      input->buffers.size(), modelId, meta.inputs.size());
  }
  if (output->buffers.size() != meta.outputs.size()) {
    return capi::fail(ACL_ERROR_MODEL_OUTPUT_NOT_MATCH, "the output dataset has {} buffers, model {} has {} outputs",
                      output->buffers.size(), modelId, meta.outputs.size());
  }
  for (size_t i = 0; i < input->buffers.size(); ++i) {
    const aclDataBuffer* b = input->buffers[i];
    if (!capi::live_buffers().live(b)) return capi::fail(ACL_ERROR_INVALID_PARAM, "input buffer {} was destroyed", i);
    ex->inputs.push_back({b->data, b->size});
  }
  for (size_t o = 0; o < output->buffers.size(); ++o) {
    const aclDataBuffer* b = output->buffers[o];
    if (!capi::live_buffers().live(b)) return capi::fail(ACL_ERROR_INVALID_PARAM, "output buffer {} was destroyed", o);
    ex->outputs.push_back({b->data, b->size});
  }
  ex->gear = select_gear(runner, *input);
  if (Status st = runner.check(ex->inputs, ex->outputs, ex->gear); !st.is_ok()) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "model {}: {}", modelId, st.message());
  }
  return ACL_SUCCESS;
}

aclError run(uint32_t modelId, const Execution& ex) {
  Status st = (*ex.lease)->runner->run(ex.inputs, ex.outputs, ex.gear);
  if (!st.is_ok()) return capi::fail(ACL_ERROR_RT_MODEL_EXECUTE, "model {} failed to execute: {}", modelId, st.message());
  return ACL_SUCCESS;
}

}  // namespace

extern "C" {

aclError aclmdlExecute(uint32_t modelId, const aclmdlDataset* input, aclmdlDataset* output) {
  return capi::guard(__func__, [&]() -> aclError {
    Execution ex;
    if (aclError e = prepare(modelId, input, output, &ex); e != ACL_SUCCESS) return e;
    return run(modelId, ex);
  });
}

aclError aclmdlExecuteAsync(uint32_t modelId, const aclmdlDataset* input, aclmdlDataset* output, aclrtStream stream) {
  return capi::guard(__func__, [&]() -> aclError {
    auto ex = std::make_shared<Execution>();
    if (aclError e = prepare(modelId, input, output, ex.get()); e != ACL_SUCCESS) return e;
    return capi::submit(stream, [modelId, ex]() -> aclError {
      const aclError e = run(modelId, *ex);
      ex->lease.reset();  // the model may be unloaded as soon as the run is over
      return e;
    });
  });
}

}  // extern "C"
