#include <xxhash.h>

#include "offline/om_format.h"

namespace kiln::offline {

uint64_t om_checksum(const uint8_t* data, size_t size) {
  static const uint8_t kZero[8] = {};
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, data, kOffChecksum);
  XXH3_64bits_update(state, kZero, sizeof kZero);
  XXH3_64bits_update(state, data + kOffChecksum + 8, size - kOffChecksum - 8);
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

const char* section_kind_name(uint32_t kind) {
  switch (static_cast<SectionKind>(kind)) {
    case SectionKind::kMeta: return "META";
    case SectionKind::kGraph: return "GRAPH";
    case SectionKind::kWeights: return "WEIGHTS";
    case SectionKind::kPlan: return "PLAN";
  }
  return "unknown";
}

}  // namespace kiln::offline
