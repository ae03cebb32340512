// Memory (spec §4.7): aclrtMalloc / MallocHost / MallocCached / Free / FreeHost (one registry, so
// either free accepts either block), Memcpy / Memset and their stream-task variants, and the
// no-op cache maintenance calls. Blocks are 128-byte aligned and zero-filled; aclFinalize frees
// what the application left.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "capi/capi.h"
#include "capi/runtime.h"

namespace kiln::capi {
namespace {

// 128 bytes: AscendCL needs >= 64, media inputs want 128.
constexpr std::size_t kAlignment = 128;

std::mutex g_mutex;
// live blocks -> size; never destroyed, so aclrtFree stays valid during static destruction
std::unordered_map<void*, std::size_t>& g_blocks = *new std::unordered_map<void*, std::size_t>;

std::size_t physical_memory() {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) : SIZE_MAX;
}

aclError allocate(void** ptr, std::size_t size, const char* ptr_name) {
  if (!ptr) return fail(ACL_ERROR_INVALID_PARAM, "{} is NULL", ptr_name);
  if (size == 0) return fail(ACL_ERROR_INVALID_PARAM, "size is 0");
  // Checked here rather than left to the allocator: sanitizer allocators abort on absurd sizes.
  if (size > physical_memory() || size > SIZE_MAX - kAlignment) {
    return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "cannot allocate {} bytes (more than the machine's memory)", size);
  }
  const std::size_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
  void* block = std::aligned_alloc(kAlignment, rounded);
  if (!block) return fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "out of memory allocating {} bytes", size);
  std::memset(block, 0, rounded);  // deterministic contents (the real stack leaves them undefined)
  try {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_blocks.emplace(block, size);
  } catch (...) {
    std::free(block);
    throw;
  }
  *ptr = block;
  return ACL_SUCCESS;
}

aclError release(void* ptr, const char* ptr_name) {
  if (!ptr) return fail(ACL_ERROR_INVALID_PARAM, "{} is NULL", ptr_name);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (!g_blocks.erase(ptr)) {
      return fail(ACL_ERROR_INVALID_PARAM, "{} {} was not allocated by aclrtMalloc/aclrtMallocHost or is already freed", ptr_name, ptr);
    }
  }
  std::free(ptr);
  return ACL_SUCCESS;
}

aclError check_copy(void* dst, std::size_t dest_max, const void* src, std::size_t count, long long kind) {
  if (!dst) return fail(ACL_ERROR_INVALID_PARAM, "dst is NULL");
  if (!src) return fail(ACL_ERROR_INVALID_PARAM, "src is NULL");
  if (count > dest_max) return fail(ACL_ERROR_INVALID_PARAM, "count {} is larger than destMax {}", count, dest_max);
  if (kind < ACL_MEMCPY_HOST_TO_HOST || kind > ACL_MEMCPY_DEVICE_TO_DEVICE) {
    return fail(ACL_ERROR_INVALID_PARAM, "kind {} is not an aclrtMemcpyKind (0..3)", kind);
  }
  return ACL_SUCCESS;
}

aclError check_set(void* ptr, std::size_t max_count, std::size_t count) {
  if (!ptr) return fail(ACL_ERROR_INVALID_PARAM, "devPtr is NULL");
  if (count > max_count) return fail(ACL_ERROR_INVALID_PARAM, "count {} is larger than maxCount {}", count, max_count);
  return ACL_SUCCESS;
}

}  // namespace

void release_all_memory() {
  std::unordered_map<void*, std::size_t> blocks;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    blocks.swap(g_blocks);
  }
  if (!blocks.empty()) log(ACL_INFO, fmt::format("aclFinalize frees {} block(s) the application did not free", blocks.size()));
  for (auto& [ptr, size] : blocks) std::free(ptr);
}

}  // namespace kiln::capi

using namespace kiln::capi;

extern "C" {

aclError aclrtMalloc(void** devPtr, size_t size, aclrtMemMallocPolicy /*policy: advisory, any value*/) {
  return guard(__func__, [&] { return allocate(devPtr, size, "devPtr"); });
}

aclError aclrtMallocCached(void** devPtr, size_t size, aclrtMemMallocPolicy /*policy*/) {
  return guard(__func__, [&] { return allocate(devPtr, size, "devPtr"); });
}

aclError aclrtMallocHost(void** hostPtr, size_t size) {
  return guard(__func__, [&] { return allocate(hostPtr, size, "hostPtr"); });
}

aclError aclrtFree(void* devPtr) {
  return guard(__func__, [&] { return release(devPtr, "devPtr"); });
}

aclError aclrtFreeHost(void* hostPtr) {
  return guard(__func__, [&] { return release(hostPtr, "hostPtr"); });
}

// Host and "device" memory are the same memory: cache maintenance has nothing to do.
aclError aclrtMemFlush(void* devPtr, size_t size) {
  return guard(__func__, [&]() -> aclError {
    if (!devPtr) return fail(ACL_ERROR_INVALID_PARAM, "devPtr is NULL");
    if (size == 0) return fail(ACL_ERROR_INVALID_PARAM, "size is 0");
    return ACL_SUCCESS;
  });
}

aclError aclrtMemInvalidate(void* devPtr, size_t size) {
  return guard(__func__, [&]() -> aclError {
    if (!devPtr) return fail(ACL_ERROR_INVALID_PARAM, "devPtr is NULL");
    if (size == 0) return fail(ACL_ERROR_INVALID_PARAM, "size is 0");
    return ACL_SUCCESS;
  });
}

aclError aclrtMemcpy(void* dst, size_t destMax, const void* src, size_t count, aclrtMemcpyKind kind) {
  return guard(__func__, [&]() -> aclError {
    if (aclError error = check_copy(dst, destMax, src, count, enum_value(kind)); error != ACL_SUCCESS) return error;
    if (count > 0) std::memmove(dst, src, count);
    return ACL_SUCCESS;
  });
}

aclError aclrtMemcpyAsync(void* dst, size_t destMax, const void* src, size_t count, aclrtMemcpyKind kind,
                          aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    if (aclError error = check_copy(dst, destMax, src, count, enum_value(kind)); error != ACL_SUCCESS) return error;
    return submit(stream, [dst, src, count] {
      if (count > 0) std::memmove(dst, src, count);
      return ACL_SUCCESS;
    });
  });
}

aclError aclrtMemset(void* devPtr, size_t maxCount, int32_t value, size_t count) {
  return guard(__func__, [&]() -> aclError {
    if (aclError error = check_set(devPtr, maxCount, count); error != ACL_SUCCESS) return error;
    if (count > 0) std::memset(devPtr, static_cast<unsigned char>(value), count);
    return ACL_SUCCESS;
  });
}

aclError aclrtMemsetAsync(void* devPtr, size_t maxCount, int32_t value, size_t count, aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    if (aclError error = check_set(devPtr, maxCount, count); error != ACL_SUCCESS) return error;
    return submit(stream, [devPtr, value, count] {
      if (count > 0) std::memset(devPtr, static_cast<unsigned char>(value), count);
      return ACL_SUCCESS;
    });
  });
}

}  // extern "C"
