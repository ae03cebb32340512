#include "backends/cpu/dnnl/packed_blob.h"

#include <cstring>

namespace kiln::cpu::onednn {

namespace {

constexpr uint32_t kTag = 0x4C4E4E44;  // "DNNL" little-endian
constexpr size_t kDescBytes = sizeof(dnnl_memory_desc_t);
constexpr size_t kHeaderBytes = (8 + kDescBytes + 63) / 64 * 64;

}  // namespace

std::string packed_blob(const dnnl::memory& packed) {
  const dnnl::memory::desc md = packed.get_desc();
  const size_t bytes = md.get_size();
  std::string blob(kHeaderBytes + bytes, '\0');
  const uint32_t head[2] = {kTag, static_cast<uint32_t>(kDescBytes)};
  std::memcpy(blob.data(), head, sizeof head);
  dnnl_memory_desc_t desc{};
  desc = md.data;
  std::memcpy(blob.data() + 8, &desc, kDescBytes);
  std::memcpy(blob.data() + kHeaderBytes, packed.get_data_handle(), bytes);
  return blob;
}

const void* packed_blob_data(const PackedBlob& blob, const dnnl::memory::desc& want) {
  if (!blob.data || blob.bytes < kHeaderBytes) return nullptr;
  uint32_t head[2];
  std::memcpy(head, blob.data, sizeof head);
  if (head[0] != kTag || head[1] != kDescBytes) return nullptr;
  dnnl_memory_desc_t desc;
  std::memcpy(&desc, blob.data + 8, kDescBytes);
  // Only plain/blocked descriptors with in-range counts reach oneDNN's comparison.
  if (desc.ndims < 0 || desc.ndims > DNNL_MAX_NDIMS || desc.format_kind != dnnl_blocked ||
      desc.format_desc.blocking.inner_nblks < 0 || desc.format_desc.blocking.inner_nblks > DNNL_MAX_NDIMS) {
    return nullptr;
  }
  if (!(want == dnnl::memory::desc(desc))) return nullptr;
  if (want.get_size() != blob.bytes - kHeaderBytes) return nullptr;
  const uint8_t* data = blob.data + kHeaderBytes;
  if (reinterpret_cast<uintptr_t>(data) % 64 != 0) return nullptr;
  return data;
}

}  // namespace kiln::cpu::onednn
