// Metadata <-> the META section's JSON (schema in docs/FORMAT.md). Reading checks every field's
// type and every enumeration/index, so a damaged or hand-edited section gives a message naming
// the file and the field.
#include <nlohmann/json.hpp>

#include <limits>

#include "offline/offline_model.h"

namespace kiln::offline {

using json = nlohmann::json;

namespace {

const char* role_name(TensorDesc::Role r) {
  switch (r) {
    case TensorDesc::Role::kData: return "data";
    case TensorDesc::Role::kDynamicGear: return "dynamic_gear";
    case TensorDesc::Role::kDynamicAipp: return "dynamic_aipp";
  }
  return "data";
}

json desc_to_json(const TensorDesc& d) {
  return json{{"name", d.name},
              {"dtype", std::string(dtype_name(d.dtype))},
              {"format", format_name(d.format)},
              {"dims", d.dims},
              {"dims_v2", d.dims_v2},
              {"bytes", d.bytes},
              {"role", role_name(d.role)},
              {"aipp_index", d.aipp_index},
              {"graph_name", d.graph_name}};
}

// Field access that reports "<file>: META field 'inputs[0].dtype' ..." instead of throwing.
struct FieldReader {
  const std::string& file;

  Status error(const std::string& path, const std::string& what) const {
    return invalid_model("'{}': META field '{}' {}", file, path, what);
  }
  const json* find(const json& obj, const char* key) const {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }
  Status str(const json& obj, const char* key, const std::string& path, std::string* out) const {
    const json* v = find(obj, key);
    if (!v) return Status::ok();
    if (!v->is_string()) return error(path + key, "must be a string");
    *out = v->get<std::string>();
    return Status::ok();
  }
  template <typename Int>
  Status integer(const json& obj, const char* key, const std::string& path, Int* out) const {
    const json* v = find(obj, key);
    if (!v) return Status::ok();
    if (!v->is_number_integer()) return error(path + key, "must be an integer");
    if (v->is_number_unsigned()) {
      const uint64_t u = v->get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<Int>::max())) return error(path + key, "is out of range");
      *out = static_cast<Int>(u);
    } else {
      const int64_t s = v->get<int64_t>();
      if (s < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
          (s > 0 && static_cast<uint64_t>(s) > static_cast<uint64_t>(std::numeric_limits<Int>::max()))) {
        return error(path + key, "is out of range");
      }
      *out = static_cast<Int>(s);
    }
    return Status::ok();
  }
  Status int_list(const json& v, const std::string& path, std::vector<int64_t>* out) const {
    if (!v.is_array()) return error(path, "must be an array of integers");
    out->clear();
    for (const json& x : v) {
      if (!x.is_number_integer() || (x.is_number_unsigned() && x.get<uint64_t>() > INT64_MAX)) {
        return error(path, "must be an array of integers");
      }
      out->push_back(x.get<int64_t>());
    }
    return Status::ok();
  }
  Status ints(const json& obj, const char* key, const std::string& path, std::vector<int64_t>* out) const {
    const json* v = find(obj, key);
    return v ? int_list(*v, path + key, out) : Status::ok();
  }

  Status desc(const json& v, const std::string& path, TensorDesc* d) const {
    if (!v.is_object()) return error(path, "must be an object");
    const std::string p = path + ".";
    KILN_TRY(str(v, "name", p, &d->name));
    std::string s;
    if (find(v, "dtype")) {
      KILN_TRY(str(v, "dtype", p, &s));
      if (!dtype_from_name(s, &d->dtype)) return error(p + "dtype", fmt::format("names no known data type ('{}')", s));
    }
    if (find(v, "format")) {
      KILN_TRY(str(v, "format", p, &s));
      bool found = false;
      for (Format f : {Format::kNCHW, Format::kNHWC, Format::kND, Format::kNCDHW}) {
        if (s == format_name(f)) d->format = f, found = true;
      }
      if (!found) return error(p + "format", fmt::format("is '{}', not NCHW, NHWC, ND or NCDHW", s));
    }
    KILN_TRY(ints(v, "dims", p, &d->dims));
    KILN_TRY(ints(v, "dims_v2", p, &d->dims_v2));
    KILN_TRY(integer(v, "bytes", p, &d->bytes));
    if (d->bytes < 0) return error(p + "bytes", "is negative");
    if (find(v, "role")) {
      KILN_TRY(str(v, "role", p, &s));
      bool found = false;
      for (auto r : {TensorDesc::Role::kData, TensorDesc::Role::kDynamicGear, TensorDesc::Role::kDynamicAipp}) {
        if (s == role_name(r)) d->role = r, found = true;
      }
      if (!found) return error(p + "role", fmt::format("is '{}', not data, dynamic_gear or dynamic_aipp", s));
    }
    KILN_TRY(integer(v, "aipp_index", p, &d->aipp_index));
    KILN_TRY(str(v, "graph_name", p, &d->graph_name));
    return Status::ok();
  }

  Status descs(const json& obj, const char* key, std::vector<TensorDesc>* out) const {
    const json* v = find(obj, key);
    if (!v) return Status::ok();
    if (!v->is_array()) return error(key, "must be an array");
    for (size_t i = 0; i < v->size(); ++i) {
      TensorDesc d;
      KILN_TRY(desc((*v)[i], fmt::format("{}[{}]", key, i), &d));
      out->push_back(std::move(d));
    }
    return Status::ok();
  }

  Status gears(const json& v, Gears* g) const {
    if (!v.is_object()) return error("gears", "must be an object");
    std::string kind = "none";
    KILN_TRY(str(v, "kind", "gears.", &kind));
    bool found = false;
    for (GearKind k : {GearKind::kNone, GearKind::kBatch, GearKind::kImageSize, GearKind::kDims}) {
      if (kind == gear_kind_name(k)) g->kind = k, found = true;
    }
    if (!found) return error("gears.kind", fmt::format("is '{}', not none, batch, image_size or dims", kind));
    if (const json* values = find(v, "values")) {
      if (!values->is_array()) return error("gears.values", "must be an array of arrays");
      for (size_t i = 0; i < values->size(); ++i) {
        std::vector<int64_t> gear;
        KILN_TRY(int_list((*values)[i], fmt::format("gears.values[{}]", i), &gear));
        g->values.push_back(std::move(gear));
      }
    }
    if (const json* positions = find(v, "positions")) {
      if (!positions->is_array()) return error("gears.positions", "must be an array of [input, dim] pairs");
      for (size_t i = 0; i < positions->size(); ++i) {
        std::vector<int64_t> pair;
        const std::string path = fmt::format("gears.positions[{}]", i);
        KILN_TRY(int_list((*positions)[i], path, &pair));
        if (pair.size() != 2 || pair[0] < 0 || pair[1] < 0 || pair[0] > INT32_MAX || pair[1] > INT32_MAX) {
          return error(path, "must be a pair [input index, dim index] of non-negative integers");
        }
        g->positions.emplace_back(static_cast<int>(pair[0]), static_cast<int>(pair[1]));
      }
    }
    if (const json* outs = find(v, "output_dims")) {
      if (!outs->is_array()) return error("gears.output_dims", "must be an array (per gear) of arrays (per output)");
      for (size_t gi = 0; gi < outs->size(); ++gi) {
        const json& per_gear = (*outs)[gi];
        if (!per_gear.is_array()) return error(fmt::format("gears.output_dims[{}]", gi), "must be an array");
        std::vector<std::vector<int64_t>> dims;
        for (size_t o = 0; o < per_gear.size(); ++o) {
          std::vector<int64_t> d;
          KILN_TRY(int_list(per_gear[o], fmt::format("gears.output_dims[{}][{}]", gi, o), &d));
          dims.push_back(std::move(d));
        }
        g->output_dims.push_back(std::move(dims));
      }
    }
    return Status::ok();
  }
};

}  // namespace

const char* format_name(Format f) {
  switch (f) {
    case Format::kNCHW: return "NCHW";
    case Format::kNHWC: return "NHWC";
    case Format::kND: return "ND";
    case Format::kNCDHW: return "NCDHW";
  }
  return "ND";
}

const char* gear_kind_name(GearKind k) {
  switch (k) {
    case GearKind::kNone: return "none";
    case GearKind::kBatch: return "batch";
    case GearKind::kImageSize: return "image_size";
    case GearKind::kDims: return "dims";
  }
  return "none";
}

std::string metadata_to_json(const Metadata& meta, int indent) {
  json j;
  j["format_version"] = meta.format_version;
  j["producer"] = meta.producer;
  j["backend"] = meta.backend;
  j["isa"] = meta.isa;
  j["soc_version"] = meta.soc_version;
  j["framework"] = meta.framework;
  j["command_line"] = meta.command_line;
  j["source_path"] = meta.source_path;
  j["source_hash"] = meta.source_hash;
  j["precision_mode"] = meta.precision_mode;
  j["inputs"] = json::array();
  for (const auto& d : meta.inputs) j["inputs"].push_back(desc_to_json(d));
  j["outputs"] = json::array();
  for (const auto& d : meta.outputs) j["outputs"].push_back(desc_to_json(d));
  json positions = json::array();
  for (const auto& [input, dim] : meta.gears.positions) positions.push_back({input, dim});
  j["gears"] = json{{"kind", gear_kind_name(meta.gears.kind)},
                    {"values", meta.gears.values},
                    {"positions", positions},
                    {"output_dims", meta.gears.output_dims}};
  j["aipp"] = json::array();
  for (const auto& p : meta.aipp) {
    // aipp::to_json gives an object; kept as a nested object (not a string) so the section reads as plain JSON.
    json a = json::parse(aipp::to_json(p), nullptr, false);
    j["aipp"].push_back(a.is_discarded() ? json(aipp::to_json(p)) : std::move(a));
  }
  j["work_bytes"] = meta.work_bytes;
  j["weight_bytes"] = meta.weight_bytes;
  // Invalid UTF-8 in a name (ONNX strings are bytes) is replaced rather than thrown on.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

Expected<Metadata> metadata_from_json(const std::string& text, const std::string& file) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_model("'{}': the META section is not valid JSON", file);
  if (!j.is_object()) return invalid_model("'{}': the META section must be a JSON object", file);
  FieldReader r{file};
  Metadata m;
  KILN_TRY(r.integer(j, "format_version", "", &m.format_version));
  KILN_TRY(r.str(j, "producer", "", &m.producer));
  KILN_TRY(r.str(j, "backend", "", &m.backend));
  KILN_TRY(r.str(j, "isa", "", &m.isa));
  KILN_TRY(r.str(j, "soc_version", "", &m.soc_version));
  KILN_TRY(r.integer(j, "framework", "", &m.framework));
  KILN_TRY(r.str(j, "command_line", "", &m.command_line));
  KILN_TRY(r.str(j, "source_path", "", &m.source_path));
  KILN_TRY(r.str(j, "source_hash", "", &m.source_hash));
  KILN_TRY(r.str(j, "precision_mode", "", &m.precision_mode));
  KILN_TRY(r.descs(j, "inputs", &m.inputs));
  KILN_TRY(r.descs(j, "outputs", &m.outputs));
  if (const json* g = r.find(j, "gears")) KILN_TRY(r.gears(*g, &m.gears));
  if (const json* a = r.find(j, "aipp")) {
    if (!a->is_array()) return r.error("aipp", "must be an array of objects");
    for (size_t i = 0; i < a->size(); ++i) {
      const std::string what = fmt::format("'{}' META aipp[{}]", file, i);
      KILN_ASSIGN_OR_RETURN(aipp::Params p, aipp::from_json((*a)[i].dump(), what));
      m.aipp.push_back(std::move(p));
    }
  }
  KILN_TRY(r.integer(j, "work_bytes", "", &m.work_bytes));
  KILN_TRY(r.integer(j, "weight_bytes", "", &m.weight_bytes));
  // Cross-references: indices must point at entries that exist.
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    const int a = m.inputs[i].aipp_index;
    if (a < -1 || a >= static_cast<int>(m.aipp.size())) {
      return r.error(fmt::format("inputs[{}].aipp_index", i),
                     fmt::format("is {}, but there are {} aipp entries", a, m.aipp.size()));
    }
  }
  for (size_t i = 0; i < m.gears.positions.size(); ++i) {
    const auto [input, dim] = m.gears.positions[i];
    if (static_cast<size_t>(input) >= m.inputs.size() ||
        static_cast<size_t>(dim) >= m.inputs[static_cast<size_t>(input)].dims.size()) {
      return r.error(fmt::format("gears.positions[{}]", i),
                     fmt::format("is [{}, {}], outside the {} inputs and their dims", input, dim, m.inputs.size()));
    }
  }
  return m;
}

}  // namespace kiln::offline
