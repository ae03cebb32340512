// The state struct on the stack (XXH3_INITSTATE) needs the static-linking-only declarations.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <algorithm>

#include <cstring>
#include <vector>

#include "core/parallel.h"
#include "offline/om_format.h"

namespace kiln::offline {

uint64_t om_checksum(const uint8_t* data, size_t size) {
  // Chunks hash independently (in parallel: the file is mostly weights, and hashing them is
  // memory-bound), then the chunk digests are hashed. The first chunk holds the header, whose
  // checksum field counts as zero.
  const size_t chunks = (size + kChecksumChunk - 1) / kChecksumChunk;
  std::vector<uint64_t> digests(chunks);
  parallel_for(static_cast<int64_t>(chunks), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const size_t off = static_cast<size_t>(c) * kChecksumChunk;
      const size_t len = std::min(kChecksumChunk, size - off);
      if (c > 0) {
        digests[static_cast<size_t>(c)] = XXH3_64bits(data + off, len);
        continue;
      }
      static const uint8_t kZero[8] = {};
      XXH3_state_t state;
      XXH3_INITSTATE(&state);
      XXH3_64bits_reset(&state);
      XXH3_64bits_update(&state, data, kOffChecksum);
      XXH3_64bits_update(&state, kZero, sizeof kZero);
      XXH3_64bits_update(&state, data + kOffChecksum + 8, len - kOffChecksum - 8);
      digests[0] = XXH3_64bits_digest(&state);
    }
  });
  // Digests as little-endian u64 (the host order on every supported target).
  return XXH3_64bits(digests.data(), digests.size() * sizeof(uint64_t));
}

const char* section_kind_name(uint32_t kind) {
  switch (static_cast<SectionKind>(kind)) {
    case SectionKind::kMeta: return "META";
    case SectionKind::kGraph: return "GRAPH";
    case SectionKind::kWeights: return "WEIGHTS";
    case SectionKind::kPlan: return "PLAN";
    case SectionKind::kPacked: return "PACKED";
  }
  return "unknown";
}

}  // namespace kiln::offline
