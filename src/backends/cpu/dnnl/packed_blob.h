// Prepacked oneDNN weights as an offline-model blob (kernel.h PackedBlob): the memory descriptor
// followed by the data in that layout, so a later session uses the data in place when its
// primitive wants the same layout.
//
//   blob: u32 tag 'DNNL' | u32 sizeof(dnnl_memory_desc_t) | dnnl_memory_desc_t | zero pad to 64 | data
#pragma once

#include <string>

#include "backends/cpu/dnnl/dnnl_common.h"

namespace kiln::cpu::onednn {

std::string packed_blob(const dnnl::memory& packed);
// The blob's data when its descriptor equals `want` and the sizes and alignment agree, else
// nullptr (the caller packs from the plain weights). The blob may come from a damaged file: every
// field is checked before oneDNN sees the descriptor.
const void* packed_blob_data(const PackedBlob& blob, const dnnl::memory::desc& want);

}  // namespace kiln::cpu::onednn
