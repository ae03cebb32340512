// The model half's C handle types (opaque in include/acl) and the table of live handles, so that a
// destroyed or never-created handle passed back in is an error (100000), not a crash.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "acl/acl.h"
#include "capi/capi.h"
#include "converter/aipp_config.h"
#include "offline/offline_model.h"

struct aclDataBuffer {
  void* data = nullptr;
  size_t size = 0;
};

struct aclmdlDataset {
  std::vector<aclDataBuffer*> buffers;
  std::vector<int64_t> gear;  // values chosen by aclmdlSetDynamic*/SetInputDynamicDims; empty = none
};

struct aclmdlDesc {
  bool filled = false;
  uint32_t model_id = 0;
  kiln::offline::Metadata meta;
  int default_gear = -1;                           // the largest gear; -1 without gears
  std::shared_ptr<const std::atomic<int>> current;  // the model's last selected gear (-1 none)
};

struct aclmdlAIPP {
  std::vector<kiln::aipp::Params> per_batch;  // header fields live in every element
  bool format_set = false;
};

struct aclTensorDesc {
  aclDataType dtype = ACL_DT_UNDEFINED;
  aclFormat format = ACL_FORMAT_UNDEFINED;
  std::vector<int64_t> dims;
  std::string name;
  bool is_const = false;
  std::vector<uint8_t> const_data;
};

namespace kiln::capi {

// Live handles of one type. add() on creation, remove() on destruction (false: not live).
template <typename T>
class LiveHandles {
 public:
  void add(const T* h) {
    std::lock_guard<std::mutex> lock(mu_);
    live_.insert(h);
  }
  bool remove(const T* h) {
    std::lock_guard<std::mutex> lock(mu_);
    return live_.erase(h) != 0;
  }
  bool live(const T* h) const {
    std::lock_guard<std::mutex> lock(mu_);
    return h && live_.count(h) != 0;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_set<const T*> live_;
};

// Creates a T, lets `init` fill it, and registers it as live; null on any failure (bad_alloc
// included, logged by guard), so creators never throw across the C boundary.
template <typename T, typename Init>
T* create_handle(const char* func, LiveHandles<T>& live, Init&& init) noexcept {
  T* out = nullptr;
  guard(func, [&]() -> aclError {
    auto h = std::make_unique<T>();
    init(*h);
    live.add(h.get());
    out = h.release();
    return ACL_SUCCESS;
  });
  return out;
}

LiveHandles<aclDataBuffer>& live_buffers();
LiveHandles<aclmdlDataset>& live_datasets();
LiveHandles<aclmdlDesc>& live_descs();
LiveHandles<aclmdlAIPP>& live_aipps();
LiveHandles<aclTensorDesc>& live_tensor_descs();

// Kiln dtype <-> aclDataType (ACL_DT_UNDEFINED / DType::kUndefined for types the other lacks).
aclDataType to_acl(DType t);
DType from_acl(aclDataType t);

}  // namespace kiln::capi
