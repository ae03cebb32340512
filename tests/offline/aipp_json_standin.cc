// TEMPORARY stand-ins for aipp::to_json / aipp::from_json (declared in converter/aipp_config.h,
// implemented by src/converter/aipp_config.cc on another branch). Only the targets of the .om
// work (tests/offline, benchmarks/om_load_bench, tests/fuzz/om_loader_fuzz) compile this file;
// DELETE it (and its uses in those CMakeLists) once aipp_config.cc is on main.
// They round-trip the fields the .om tests use: mode, input_format, related_input_rank,
// src_image_size_w/h, mean_chn.
#include <nlohmann/json.hpp>

#include "converter/aipp_config.h"

namespace kiln::aipp {

std::string to_json(const Params& p) {
  nlohmann::json j{{"aipp_mode", static_cast<int>(p.mode)},
                   {"input_format", static_cast<int>(p.input_format)},
                   {"related_input_rank", p.related_input_rank},
                   {"src_image_size_w", p.src_image_size_w},
                   {"src_image_size_h", p.src_image_size_h},
                   {"mean_chn", p.mean_chn}};
  return j.dump();
}

Expected<Params> from_json(const std::string& json, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid_model("{}: not a JSON object", what);
  Params p;
  try {
    p.mode = static_cast<Mode>(j.value("aipp_mode", 0));
    p.input_format = static_cast<InputFormat>(j.value("input_format", 0));
    p.related_input_rank = j.value("related_input_rank", 0u);
    p.src_image_size_w = j.value("src_image_size_w", 0);
    p.src_image_size_h = j.value("src_image_size_h", 0);
    if (j.contains("mean_chn")) p.mean_chn = j["mean_chn"].get<std::array<int32_t, 4>>();
  } catch (const nlohmann::json::exception& e) {
    return invalid_model("{}: {}", what, e.what());
  }
  return p;
}

}  // namespace kiln::aipp
