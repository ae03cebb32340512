// write_om: serializes the sections in memory, fills the header and checksum, then writes the
// file atomically (write_file_atomic: `<path>.tmp.<pid>`, fsync, rename; removed on failure).
#include <cstring>
#include <map>

#include "core/file_util.h"
#include "frontend/onnx/onnx_writer.h"
#include "offline/offline_model.h"
#include "offline/om_format.h"
#include "offline/om_plan.h"

namespace kiln::offline {

namespace {

template <typename T>
void put(std::string& buf, size_t offset, T value) {
  std::memcpy(buf.data() + offset, &value, sizeof value);  // little-endian hosts only (x86-64, aarch64)
}

}  // namespace

namespace {

// PACKED: u64 count, count entries {u64 key offset, key bytes, data offset, data bytes} (offsets
// from the section start), the keys, then each blob 64-byte aligned.
std::string packed_section(const std::vector<std::pair<std::string, std::string>>& blobs) {
  size_t end = 8 + blobs.size() * 32;
  std::vector<size_t> key_at, data_at;
  for (const auto& [key, blob] : blobs) {
    key_at.push_back(end);
    end += key.size();
  }
  for (const auto& [key, blob] : blobs) {
    end = align_up(end);
    data_at.push_back(end);
    end += blob.size();
  }
  std::string s(end, '\0');
  put<uint64_t>(s, 0, blobs.size());
  for (size_t i = 0; i < blobs.size(); ++i) {
    const size_t e = 8 + i * 32;
    put<uint64_t>(s, e, key_at[i]);
    put<uint64_t>(s, e + 8, blobs[i].first.size());
    put<uint64_t>(s, e + 16, data_at[i]);
    put<uint64_t>(s, e + 24, blobs[i].second.size());
    std::memcpy(s.data() + key_at[i], blobs[i].first.data(), blobs[i].first.size());
    std::memcpy(s.data() + data_at[i], blobs[i].second.data(), blobs[i].second.size());
  }
  return s;
}

}  // namespace

Status write_om(const std::string& path, const Metadata& meta, const Session& session, bool packed) {
  return write_om(path, meta, session.model(), &session.memory_plan(),
                  packed ? session.export_packed() : std::vector<std::pair<std::string, std::string>>{});
}

Status write_om(const std::string& path, const Metadata& meta, const ir::Model& optimized, const MemoryPlan* plan) {
  return write_om(path, meta, optimized, plan, {});
}

Status write_om(const std::string& path, const Metadata& meta, const ir::Model& optimized, const MemoryPlan* plan,
                const std::vector<std::pair<std::string, std::string>>& packed) {
  // WEIGHTS: every non-string tensor of the graph, 64-byte aligned; tensors sharing storage
  // (the same buffer and size) are stored once.
  std::string weights;
  std::map<std::pair<const void*, size_t>, uint64_t> stored;
  onnx_frontend::WriteOptions wopts;
  wopts.external = [&](const Tensor& t) -> Expected<onnx_frontend::ExternalRef> {
    const size_t bytes = t.nbytes();
    auto key = std::make_pair(t.raw(), bytes);
    if (bytes > 0) {
      if (auto it = stored.find(key); it != stored.end()) return onnx_frontend::ExternalRef{kWeightsLocation, it->second};
    }
    const uint64_t offset = align_up(weights.size());
    weights.resize(offset + bytes);
    if (bytes > 0) std::memcpy(weights.data() + offset, t.raw(), bytes);
    if (bytes > 0) stored[key] = offset;
    return onnx_frontend::ExternalRef{kWeightsLocation, offset};
  };
  KILN_ASSIGN_OR_RETURN(std::string graph, onnx_frontend::write_model_bytes(optimized, wopts));
  weights.resize(align_up(weights.size()));

  Metadata m = meta;
  m.format_version = kFormatVersion;
  if (m.weight_bytes == 0) m.weight_bytes = weights.size();
  if (m.work_bytes == 0 && plan) m.work_bytes = plan->work_bytes();
  const std::string meta_json = metadata_to_json(m);
  const std::string plan_json = plan ? plan_to_json(*plan) : std::string();

  struct Section {
    SectionKind kind;
    const std::string* bytes;
    size_t offset = 0;
  };
  std::vector<Section> sections = {{SectionKind::kMeta, &meta_json}};
  if (plan) sections.push_back({SectionKind::kPlan, &plan_json});
  sections.push_back({SectionKind::kGraph, &graph});
  const std::string packed_bytes = packed.empty() ? std::string() : packed_section(packed);
  if (!packed.empty()) sections.push_back({SectionKind::kPacked, &packed_bytes});
  sections.push_back({SectionKind::kWeights, &weights});  // last: the bulk of the file

  const size_t table_offset = kHeaderBytes;
  size_t end = align_up(table_offset + sections.size() * kSectionEntryBytes);
  for (Section& s : sections) {
    s.offset = end;
    end = align_up(end + s.bytes->size());
  }
  std::string file(end, '\0');
  std::memcpy(file.data() + kOffMagic, kMagic, sizeof kMagic);
  put<uint32_t>(file, kOffVersion, kFormatVersion);
  put<uint32_t>(file, kOffHeaderBytes, kHeaderBytes);
  put<uint64_t>(file, kOffFileBytes, file.size());
  put<uint32_t>(file, kOffSectionCount, static_cast<uint32_t>(sections.size()));
  put<uint32_t>(file, kOffEntryBytes, kSectionEntryBytes);
  put<uint64_t>(file, kOffTableOffset, table_offset);
  for (size_t i = 0; i < sections.size(); ++i) {
    const size_t e = table_offset + i * kSectionEntryBytes;
    put<uint32_t>(file, e, static_cast<uint32_t>(sections[i].kind));
    put<uint64_t>(file, e + 8, sections[i].offset);
    put<uint64_t>(file, e + 16, sections[i].bytes->size());
    if (!sections[i].bytes->empty()) {
      std::memcpy(file.data() + sections[i].offset, sections[i].bytes->data(), sections[i].bytes->size());
    }
  }
  put<uint64_t>(file, kOffChecksum, om_checksum(reinterpret_cast<const uint8_t*>(file.data()), file.size()));
  return write_file_atomic(path, file).with_context("writing offline model '" + path + "'");
}

}  // namespace kiln::offline
