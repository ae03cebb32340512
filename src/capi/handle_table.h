// Opaque AscendCL handles (aclrtContext, aclrtStream, aclrtEvent) and the tables that validate them.
//
// A handle is never dereferenced: every entry point looks it up in its table under a mutex, so an
// unknown or destroyed handle is an ordinary error (100000) instead of a crash. Handle values come
// from one process-wide counter and are never reused (spec §3.1): with heap addresses, glibc hands
// a freed block straight back to the next allocation of the same size, and a stale handle would
// then silently address the new object.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace kiln::capi {

// A fresh handle value: non-null, 64-byte spaced, never handed out twice in this process.
inline void* new_handle_value() {
  static std::atomic<std::uintptr_t> next{1};
  return reinterpret_cast<void*>(std::uintptr_t{0x4b11000000} + next.fetch_add(1) * 64);
}

template <typename T>
class HandleTable {
 public:
  void* add(std::shared_ptr<T> object) { return insert(new_handle_value(), std::move(object)); }
  // For objects that must know their own handle before they become findable.
  void* insert(void* handle, std::shared_ptr<T> object) {
    std::lock_guard<std::mutex> lock(mutex_);
    objects_.emplace(handle, std::move(object));
    return handle;
  }
  // Null for a null, unknown or removed handle.
  std::shared_ptr<T> find(const void* handle) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = objects_.find(handle);
    return it == objects_.end() ? nullptr : it->second;
  }
  // Removes and returns the object (null when unknown): the handle is dead from here on.
  std::shared_ptr<T> remove(const void* handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = objects_.find(handle);
    if (it == objects_.end()) return nullptr;
    auto object = std::move(it->second);
    objects_.erase(it);
    return object;
  }
  std::vector<std::pair<void*, std::shared_ptr<T>>> snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::pair<void*, std::shared_ptr<T>>> all;
    for (const auto& [handle, object] : objects_) all.emplace_back(const_cast<void*>(handle), object);
    return all;
  }
  // Removes every entry (aclFinalize) and returns the objects.
  std::vector<std::shared_ptr<T>> clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::shared_ptr<T>> all;
    for (auto& [handle, object] : objects_) all.push_back(std::move(object));
    objects_.clear();
    return all;
  }

 private:
  mutable std::mutex mutex_;
  std::map<const void*, std::shared_ptr<T>> objects_;
};

}  // namespace kiln::capi
