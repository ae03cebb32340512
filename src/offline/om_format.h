// The `.om` byte layout (docs/FORMAT.md): a 64-byte header, a section table, and 64-byte aligned
// sections. Everything is little-endian; the header and table are read field by field (memcpy),
// never by casting the mapping, so any alignment of the input bytes is fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln::offline {

inline constexpr char kMagic[8] = {'K', 'I', 'L', 'N', '.', 'O', 'M', '\0'};
inline constexpr size_t kHeaderBytes = 64;
inline constexpr size_t kSectionEntryBytes = 32;
inline constexpr size_t kAlignment = 64;
inline constexpr uint32_t kMaxSections = 64;

// Header field offsets.
inline constexpr size_t kOffMagic = 0;           // char[8]
inline constexpr size_t kOffVersion = 8;         // u32 format version
inline constexpr size_t kOffHeaderBytes = 12;    // u32, 64
inline constexpr size_t kOffFileBytes = 16;      // u64 total file size
inline constexpr size_t kOffSectionCount = 24;   // u32
inline constexpr size_t kOffEntryBytes = 28;     // u32 bytes per section table entry, 32
inline constexpr size_t kOffTableOffset = 32;    // u64
inline constexpr size_t kOffChecksum = 40;       // u64 XXH3-64
// bytes 48..63 reserved (zero)

enum class SectionKind : uint32_t {
  kMeta = 1,     // UTF-8 JSON: Metadata
  kGraph = 2,    // ONNX ModelProto, tensors as external data into WEIGHTS
  kWeights = 3,  // tensor bytes, each 64-byte aligned
  kPlan = 4,     // UTF-8 JSON: the memory plan
  kPacked = 5,   // optional: kernels' prepacked constant data, keyed by node output name
};
const char* section_kind_name(uint32_t kind);

// Location string the GRAPH section's external_data entries use for the WEIGHTS section.
inline constexpr const char* kWeightsLocation = "kiln:weights";

inline size_t align_up(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

// The checksum: the file is split into kChecksumChunk-byte chunks (the last one shorter), each
// hashed with XXH3-64 (seed 0) — the first with the 8 checksum bytes at kOffChecksum counted as
// zero — and the checksum is XXH3-64 (seed 0) of those digests as consecutive little-endian u64.
// Chunks hash in parallel. `size` must be at least kHeaderBytes.
inline constexpr size_t kChecksumChunk = size_t{1} << 20;
uint64_t om_checksum(const uint8_t* data, size_t size);

}  // namespace kiln::offline
