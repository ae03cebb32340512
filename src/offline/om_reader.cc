// read_om: maps the file read-only and validates the header, section table and checksum before
// any section is parsed; GRAPH goes through the ONNX loader with an external-data resolver that
// turns each weight into a Tensor viewing the mapping (no copy).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "frontend/onnx/onnx_loader.h"
#include "offline/offline_model.h"
#include "offline/om_format.h"
#include "offline/om_plan.h"

namespace kiln::offline {

namespace {

template <typename T>
T get(const uint8_t* data, size_t offset) {
  T v;
  std::memcpy(&v, data + offset, sizeof v);
  return v;
}

struct SectionRef {
  uint32_t kind = 0;
  uint64_t offset = 0, size = 0;
};

Status check_tensor_names(const Metadata& meta, const ir::Graph& graph, const std::string& name) {
  auto check = [&](const std::vector<TensorDesc>& descs, const std::vector<ir::Value*>& values, const char* side) {
    for (size_t i = 0; i < descs.size(); ++i) {
      const std::string& g = descs[i].graph_name;
      if (g.empty()) continue;
      bool found = std::any_of(values.begin(), values.end(), [&](const ir::Value* v) { return v->name == g; });
      if (!found) {
        return invalid_model("'{}': META {}[{}] '{}' binds to graph {} '{}', which the graph does not have", name, side,
                             i, descs[i].name, side == std::string("inputs") ? "input" : "output", g);
      }
    }
    return Status::ok();
  };
  KILN_TRY(check(meta.inputs, graph.inputs, "inputs"));
  return check(meta.outputs, graph.outputs, "outputs");
}

// The PACKED section's blobs, viewing the mapping (kept alive by the store).
class MappedPackedStore final : public PackedStore {
 public:
  explicit MappedPackedStore(std::shared_ptr<const void> owner) : owner_(std::move(owner)) {}
  const PackedBlob* find(const std::string& key) const override {
    auto it = blobs_.find(key);
    return it == blobs_.end() ? nullptr : &it->second;
  }
  std::unordered_map<std::string, PackedBlob> blobs_;

 private:
  std::shared_ptr<const void> owner_;
};

Expected<std::shared_ptr<const PackedStore>> read_packed(std::shared_ptr<const void> owner, const uint8_t* s,
                                                         uint64_t size, const std::string& name) {
  auto bad = [&](const std::string& what) { return invalid_model("'{}': PACKED section {}", name, what); };
  if (size < 8) return bad(fmt::format("is {} bytes, too short for its entry count", size));
  const uint64_t count = get<uint64_t>(s, 0);
  if (count > (size - 8) / 32) return bad(fmt::format("claims {} entries, more than its {} bytes hold", count, size));
  auto store = std::make_shared<MappedPackedStore>(std::move(owner));
  for (uint64_t i = 0; i < count; ++i) {
    const size_t e = 8 + static_cast<size_t>(i) * 32;
    const uint64_t key_at = get<uint64_t>(s, e), key_bytes = get<uint64_t>(s, e + 8);
    const uint64_t data_at = get<uint64_t>(s, e + 16), data_bytes = get<uint64_t>(s, e + 24);
    if (key_at > size || key_bytes > size - key_at || data_at > size || data_bytes > size - data_at) {
      return bad(fmt::format("entry {} points outside the section's {} bytes", i, size));
    }
    if (data_at % kAlignment != 0) return bad(fmt::format("entry {} data offset {} is not 64-byte aligned", i, data_at));
    std::string key(reinterpret_cast<const char*>(s + key_at), key_bytes);
    if (!store->blobs_.emplace(key, PackedBlob{s + data_at, data_bytes}).second) {
      return bad(fmt::format("lists '{}' twice", key));
    }
  }
  return std::shared_ptr<const PackedStore>(std::move(store));
}

}  // namespace

Expected<OfflineModel> read_om_from_bytes(std::shared_ptr<const void> owner, const uint8_t* data, size_t size,
                                          const std::string& name, const ReadOptions& options) {
  if (size < kHeaderBytes) {
    return invalid_model("'{}' is {} bytes, shorter than the {}-byte .om header (truncated?)", name, size, kHeaderBytes);
  }
  if (std::memcmp(data + kOffMagic, kMagic, sizeof kMagic) != 0) {
    return invalid_model("'{}' is not a Kiln offline model (.om): the file does not start with the magic 'KILN.OM'", name);
  }
  const uint32_t version = get<uint32_t>(data, kOffVersion);
  if (version != kFormatVersion) {
    return unsupported("'{}' has .om format version {}, but this Kiln reads format version {}; convert the model again",
                       name, version, kFormatVersion);
  }
  const uint32_t header_bytes = get<uint32_t>(data, kOffHeaderBytes);
  if (header_bytes != kHeaderBytes) {
    return invalid_model("'{}': header size field is {}, expected {}", name, header_bytes, kHeaderBytes);
  }
  const uint64_t file_bytes = get<uint64_t>(data, kOffFileBytes);
  if (file_bytes != size) {
    return invalid_model("'{}': the header says the file is {} bytes, but it is {} bytes (truncated or damaged)", name,
                         file_bytes, size);
  }
  if (options.verify_checksum) {
    const uint64_t want = get<uint64_t>(data, kOffChecksum), got = om_checksum(data, size);
    if (want != got) {
      return invalid_model("'{}' is corrupted: checksum {:016x} does not match the stored {:016x}", name, got, want);
    }
  }
  const uint32_t count = get<uint32_t>(data, kOffSectionCount);
  const uint32_t entry_bytes = get<uint32_t>(data, kOffEntryBytes);
  const uint64_t table = get<uint64_t>(data, kOffTableOffset);
  if (entry_bytes != kSectionEntryBytes) {
    return invalid_model("'{}': section table entries are {} bytes, expected {}", name, entry_bytes, kSectionEntryBytes);
  }
  if (count == 0 || count > kMaxSections) {
    return invalid_model("'{}': section count {} is outside 1..{}", name, count, kMaxSections);
  }
  const uint64_t table_end = table + uint64_t{count} * kSectionEntryBytes;  // no overflow: count <= 64
  if (table < kHeaderBytes || table % 8 != 0 || table > size || table_end > size) {
    return invalid_model("'{}': the section table at offset {} ({} entries) lies outside the {}-byte file", name, table,
                         count, size);
  }
  std::vector<SectionRef> sections;
  for (uint32_t i = 0; i < count; ++i) {
    const size_t e = static_cast<size_t>(table) + i * kSectionEntryBytes;
    SectionRef s{get<uint32_t>(data, e), get<uint64_t>(data, e + 8), get<uint64_t>(data, e + 16)};
    const char* kind = section_kind_name(s.kind);
    if (s.offset % kAlignment != 0) {
      return invalid_model("'{}': section {} ({}) offset {} is not {}-byte aligned", name, i, kind, s.offset, kAlignment);
    }
    if (s.offset < table_end || s.offset > size || s.size > size - s.offset) {
      return invalid_model("'{}': section {} ({}) at bytes [{}, +{}) lies outside the file's {} bytes after the table", name,
                           i, kind, s.offset, s.size, size);
    }
    for (const SectionRef& o : sections) {
      if (o.kind == s.kind) return invalid_model("'{}': section {} appears twice", name, kind);
      if (s.offset < o.offset + o.size && o.offset < s.offset + s.size) {
        return invalid_model("'{}': sections {} and {} overlap", name, section_kind_name(o.kind), kind);
      }
    }
    sections.push_back(s);
  }
  auto find = [&](SectionKind k) -> const SectionRef* {
    for (const SectionRef& s : sections) {
      if (s.kind == static_cast<uint32_t>(k)) return &s;
    }
    return nullptr;
  };
  // Unknown kinds are optional sections of a newer writer of the same version: skipped.
  const SectionRef* meta_s = find(SectionKind::kMeta);
  const SectionRef* graph_s = find(SectionKind::kGraph);
  const SectionRef* weights_s = find(SectionKind::kWeights);
  const SectionRef* plan_s = find(SectionKind::kPlan);
  const SectionRef* packed_s = find(SectionKind::kPacked);
  for (auto [s, kind] : {std::pair{meta_s, "META"}, std::pair{graph_s, "GRAPH"}, std::pair{weights_s, "WEIGHTS"}}) {
    if (!s) return invalid_model("'{}' has no {} section", name, kind);
  }

  OfflineModel om;
  om.file_bytes = size;
  om.metadata_bytes = meta_s->size;
  om.graph_bytes = graph_s->size;
  om.weight_section_bytes = weights_s->size;
  const std::string meta_text(reinterpret_cast<const char*>(data + meta_s->offset), meta_s->size);
  KILN_ASSIGN_OR_RETURN(om.meta, metadata_from_json(meta_text, name));
  if (om.meta.format_version != version) {
    return invalid_model("'{}': META says format version {}, the header says {}", name, om.meta.format_version, version);
  }
  if (options.metadata_only) return om;

  // Weights view the caller's bytes; the owner is kept alive by every tensor.
  std::shared_ptr<void> keep_alive = std::const_pointer_cast<void>(owner);
  const uint8_t* weights = data + weights_s->offset;
  const uint64_t weights_size = weights_s->size;
  onnx_frontend::LoadOptions load;
  load.external_data = [&](const onnx_frontend::ExternalDataRef& ref) -> Expected<Tensor> {
    if (ref.location != kWeightsLocation) {
      return invalid_model("'{}': {} names external data '{}'; an .om may only refer to '{}'", name, ref.what,
                           ref.location, kWeightsLocation);
    }
    if (ref.offset > weights_size || ref.bytes > weights_size - ref.offset) {
      return invalid_model("'{}': {} needs WEIGHTS bytes [{}, +{}), but the section has {} bytes", name,
                           ref.what, ref.offset, ref.bytes, weights_size);
    }
    if (ref.offset % kAlignment != 0) {
      return invalid_model("'{}': {} WEIGHTS offset {} is not {}-byte aligned", name, ref.what, ref.offset,
                           kAlignment);
    }
    if (ref.bytes == 0) return Tensor(ref.dtype, ref.shape);
    const uint8_t* p = weights + ref.offset;
    if (reinterpret_cast<uintptr_t>(p) % kAlignment != 0) {
      // Only when the caller's buffer itself is misaligned (read_om maps page-aligned): copy.
      Tensor copy = Tensor::uninitialized(ref.dtype, ref.shape);
      std::memcpy(copy.raw(), p, ref.bytes);
      return copy;
    }
    // Read-only mapping: constants are never written (kernels only read their inputs).
    return Tensor::wrap(ref.dtype, ref.shape, const_cast<uint8_t*>(p), keep_alive);
  };
  KILN_ASSIGN_OR_RETURN(om.model, onnx_frontend::load_model_from_bytes(data + graph_s->offset, graph_s->size, ".",
                                                                       name, load));
  om.model->path = name;
  KILN_TRY(check_tensor_names(om.meta, *om.model->graph, name));
  if (plan_s) {
    const std::string plan_text(reinterpret_cast<const char*>(data + plan_s->offset), plan_s->size);
    KILN_ASSIGN_OR_RETURN(MemoryPlan plan, plan_from_json(plan_text, *om.model->graph, name));
    om.memory_plan = std::make_shared<MemoryPlan>(std::move(plan));
  }
  if (packed_s) {
    KILN_ASSIGN_OR_RETURN(om.packed, read_packed(owner, data + packed_s->offset, packed_s->size, name));
    om.packed_bytes = packed_s->size;
  }
  return om;
}

Expected<OfflineModel> read_om(const std::string& path, const ReadOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT ? not_found("offline model '{}' does not exist", path)
                           : io_error("cannot open offline model '{}': {}", path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_error("'{}' is not a regular file", path);
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < kHeaderBytes) {
    ::close(fd);
    return invalid_model("'{}' is {} bytes, shorter than the {}-byte .om header (truncated?)", path, size, kHeaderBytes);
  }
  // MAP_POPULATE maps every page in one call: the checksum and the weight reorders read them all
  // anyway, and one populate is far cheaper than a page fault per 4 KiB.
  // A metadata-only read touches the header, the table and META: no populate.
  const int populate = options.metadata_only && !options.verify_checksum ? 0 : MAP_POPULATE;
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | populate, fd, 0);
  ::close(fd);
  if (base == MAP_FAILED) return io_error("cannot map offline model '{}': {}", path, std::strerror(errno));
  std::shared_ptr<const void> owner(base, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
  return read_om_from_bytes(std::move(owner), static_cast<const uint8_t*>(base), size, path, options);
}

bool is_om_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[sizeof kMagic] = {};
  const ssize_t r = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  return r == static_cast<ssize_t>(sizeof magic) && std::memcmp(magic, kMagic, sizeof magic) == 0;
}

Expected<std::unique_ptr<Session>> create_session(const OfflineModel& om, SessionOptions options) {
  if (!om.model || !om.model->graph) return invalid_argument("create_session: the offline model holds no graph");
  // The stored graph is already optimized: no passes. Its plan holds for the stored shapes only,
  // so shape overrides (and the reference backend) plan afresh.
  options.optimize = false;
  if (om.memory_plan && options.backend == Backend::kCpu && options.input_shapes.empty()) {
    options.memory_plan = om.memory_plan;
    options.packed = om.packed;
  }
  return Session::create(om.model, std::move(options));
}

}  // namespace kiln::offline
