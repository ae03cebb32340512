// Loading, unloading and size queries (spec §5.4).
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "capi/capi.h"
#include "capi/model_registry.h"
#include "offline/model_runner.h"

using namespace kiln;

namespace {

// Intra-op threads shared by the executions in flight: KILN_NUM_THREADS, else 0 (physical cores).
int configured_threads() {
  const char* env = std::getenv("KILN_NUM_THREADS");
  const int n = env ? std::atoi(env) : 0;
  return n > 0 ? n : 0;
}

size_t round32(size_t n) { return n < 32 ? 32 : (n + 31) / 32 * 32; }

// `metadata_only`: for size queries, which need META alone: the header, section table and META
// are validated, but neither the graph is built nor the whole-file checksum computed (it reads
// every byte of a large model; a damaged file still fails when it is loaded), and a memory image
// is read in place.
aclError read_model(const char* path, const void* bytes, size_t size, offline::OfflineModel* out,
                    bool metadata_only = false) {
  offline::ReadOptions options;
  options.metadata_only = metadata_only;
  options.verify_checksum = !metadata_only;
  if (path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return capi::fail(ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID, "model file '{}' does not exist or is not a regular file", path);
    }
    auto om = offline::read_om(path, options);
    if (!om) return capi::fail(ACL_ERROR_PARSE_MODEL, "cannot load model '{}': {}", path, om.status().message());
    *out = std::move(*om);
    return ACL_SUCCESS;
  }
  if (metadata_only) {  // nothing outlives the call: read the caller's image in place
    auto om = offline::read_om_from_bytes(nullptr, static_cast<const uint8_t*>(bytes), size, "<memory>", options);
    if (!om) return capi::fail(ACL_ERROR_PARSE_MODEL, "cannot read the model image ({} bytes): {}", size, om.status().message());
    *out = std::move(*om);
    return ACL_SUCCESS;
  }
  // The caller may free its image after the call: keep a copy the model's tensors can view,
  // 64-byte aligned like a mapped file (the format aligns weights to 64 bytes).
  void* raw = std::aligned_alloc(64, (size + 63) / 64 * 64);
  if (!raw) return capi::fail(ACL_ERROR_BAD_ALLOC, "cannot copy the {}-byte model image", size);
  std::shared_ptr<void> copy(raw, std::free);
  std::memcpy(raw, bytes, size);
  auto om = offline::read_om_from_bytes(copy, static_cast<const uint8_t*>(raw), size, "<memory>");
  if (!om) return capi::fail(ACL_ERROR_PARSE_MODEL, "cannot load the model image ({} bytes): {}", size, om.status().message());
  *out = std::move(*om);
  return ACL_SUCCESS;
}

aclError check_mem(const offline::Metadata& meta, void* workPtr, size_t workSize, void* weightPtr, size_t weightSize) {
  if (workPtr && workSize < round32(meta.work_bytes)) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "workSize {} is smaller than the {} bytes aclmdlQuerySize reports", workSize,
                      round32(meta.work_bytes));
  }
  if (weightPtr && weightSize < round32(meta.weight_bytes)) {
    return capi::fail(ACL_ERROR_INVALID_PARAM, "weightSize {} is smaller than the {} bytes aclmdlQuerySize reports", weightSize,
                      round32(meta.weight_bytes));
  }
  return ACL_SUCCESS;
}

// Both load forms; `path` or (`bytes`, `size`). Caller-supplied memory is checked for size and
// otherwise unused: Kiln keeps weights in the mapped model and activations in the session.
aclError load(const char* path, const void* bytes, size_t size, uint32_t* modelId, bool with_mem, void* workPtr,
              size_t workSize, void* weightPtr, size_t weightSize) {
  if (!capi::initialized()) return capi::fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
  if (!modelId) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelId is NULL");
  if (!path && size == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelSize is 0");
  offline::OfflineModel om;
  if (aclError e = read_model(path, bytes, size, &om); e != ACL_SUCCESS) return e;
  if (with_mem) {
    if (aclError e = check_mem(om.meta, workPtr, workSize, weightPtr, weightSize); e != ACL_SUCCESS) return e;
  }
  const std::string name = path ? path : "<memory>";
  auto runner = offline::ModelRunner::create(std::move(om), configured_threads());
  if (!runner) return capi::fail(ACL_ERROR_PARSE_MODEL, "cannot prepare model '{}': {}", name, runner.status().message());
  *modelId = capi::add_model(std::shared_ptr<const offline::ModelRunner>(std::move(*runner)));
  return ACL_SUCCESS;
}

aclError query(const char* path, const void* bytes, size_t size, size_t* workSize, size_t* weightSize) {
  if (!workSize || !weightSize) return capi::fail(ACL_ERROR_INVALID_PARAM, "workSize or weightSize is NULL");
  if (!path && size == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelSize is 0");
  offline::OfflineModel om;
  if (aclError e = read_model(path, bytes, size, &om, /*metadata_only=*/true); e != ACL_SUCCESS) return e;
  *workSize = round32(om.meta.work_bytes);
  *weightSize = round32(om.meta.weight_bytes);
  return ACL_SUCCESS;
}

}  // namespace

extern "C" {

aclError aclmdlLoadFromFile(const char* modelPath, uint32_t* modelId) {
  return capi::guard(__func__, [&] {
    if (!modelPath) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelPath is NULL");
    return load(modelPath, nullptr, 0, modelId, false, nullptr, 0, nullptr, 0);
  });
}

aclError aclmdlLoadFromMem(const void* model, size_t modelSize, uint32_t* modelId) {
  return capi::guard(__func__, [&] {
    if (!model) return capi::fail(ACL_ERROR_INVALID_PARAM, "model is NULL");
    return load(nullptr, model, modelSize, modelId, false, nullptr, 0, nullptr, 0);
  });
}

aclError aclmdlLoadFromFileWithMem(const char* modelPath, uint32_t* modelId, void* workPtr, size_t workSize, void* weightPtr,
                                   size_t weightSize) {
  return capi::guard(__func__, [&] {
    if (!modelPath) return capi::fail(ACL_ERROR_INVALID_PARAM, "modelPath is NULL");
    return load(modelPath, nullptr, 0, modelId, true, workPtr, workSize, weightPtr, weightSize);
  });
}

aclError aclmdlLoadFromMemWithMem(const void* model, size_t modelSize, uint32_t* modelId, void* workPtr, size_t workSize,
                                  void* weightPtr, size_t weightSize) {
  return capi::guard(__func__, [&] {
    if (!model) return capi::fail(ACL_ERROR_INVALID_PARAM, "model is NULL");
    return load(nullptr, model, modelSize, modelId, true, workPtr, workSize, weightPtr, weightSize);
  });
}

aclError aclmdlUnload(uint32_t modelId) {
  return capi::guard(__func__, [&]() -> aclError {
    if (!capi::remove_model(modelId)) return capi::fail(ACL_ERROR_INVALID_MODEL_ID, "model id {} is not loaded", modelId);
    return ACL_SUCCESS;
  });
}

aclError aclmdlQuerySize(const char* fileName, size_t* workSize, size_t* weightSize) {
  return capi::guard(__func__, [&] {
    if (!fileName) return capi::fail(ACL_ERROR_INVALID_PARAM, "fileName is NULL");
    return query(fileName, nullptr, 0, workSize, weightSize);
  });
}

aclError aclmdlQuerySizeFromMem(const void* model, size_t modelSize, size_t* workSize, size_t* weightSize) {
  return capi::guard(__func__, [&] {
    if (!model) return capi::fail(ACL_ERROR_INVALID_PARAM, "model is NULL");
    return query(nullptr, model, modelSize, workSize, weightSize);
  });
}

}  // extern "C"
