// AIPP parameters as JSON (the `.om` metadata, `atc --mode=1`, `kiln info`, and the kiln.Aipp
// node's `params` attribute). Field names are the config file's, so a reader recognises them.
#include <nlohmann/json.hpp>

#include "converter/aipp_config.h"

namespace kiln::aipp {

namespace {

const char* mode_name(Mode m) {
  return m == Mode::kStatic ? "static" : m == Mode::kDynamic ? "dynamic" : "undefined";
}

}  // namespace

std::string to_json(const Params& p) {
  nlohmann::ordered_json j;
  j["aipp_mode"] = mode_name(p.mode);
  j["related_input_rank"] = p.related_input_rank;
  j["related_input_name"] = p.related_input_name;
  if (p.input_edge_idx) j["input_edge_idx"] = *p.input_edge_idx;
  j["max_src_image_size"] = p.max_src_image_size;
  j["support_rotation"] = p.support_rotation;
  j["input_format"] = input_format_name(p.input_format);
  j["csc_switch"] = p.csc_switch;
  j["rbuv_swap_switch"] = p.rbuv_swap_switch;
  j["ax_swap_switch"] = p.ax_swap_switch;
  j["single_line_mode"] = p.single_line_mode;
  j["src_image_size_w"] = p.src_image_size_w;
  j["src_image_size_h"] = p.src_image_size_h;
  j["crop"] = p.crop;
  j["load_start_pos_w"] = p.load_start_pos_w;
  j["load_start_pos_h"] = p.load_start_pos_h;
  j["crop_size_w"] = p.crop_size_w;
  j["crop_size_h"] = p.crop_size_h;
  j["resize"] = p.resize;
  j["resize_output_w"] = p.resize_output_w;
  j["resize_output_h"] = p.resize_output_h;
  j["padding"] = p.padding;
  j["left_padding_size"] = p.left_padding_size;
  j["right_padding_size"] = p.right_padding_size;
  j["top_padding_size"] = p.top_padding_size;
  j["bottom_padding_size"] = p.bottom_padding_size;
  j["padding_value"] = p.padding_value;
  j["cpadding_value"] = p.cpadding_value;
  j["mean_chn"] = p.mean_chn;
  j["min_chn"] = p.min_chn;
  j["var_reci_chn"] = p.var_reci_chn;
  j["matrix"] = p.matrix;
  j["output_bias"] = p.output_bias;
  j["input_bias"] = p.input_bias;
  j["raw_rgbir_to_f16_n"] = p.raw_rgbir_to_f16_n;
  return j.dump();
}

Expected<Params> from_json(const std::string& json, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return invalid_model("{}: AIPP parameters are not a JSON object", what);
  Params p;
  std::string field;
  try {
    // Missing keys keep their defaults (older writers); present keys must have the right type.
    auto get = [&](const char* key, auto& out) {
      field = key;
      if (j.contains(key)) j.at(key).get_to(out);
    };
    std::string mode = "undefined", format = "UNDEFINED";
    get("aipp_mode", mode);
    if (mode == "static") p.mode = Mode::kStatic;
    else if (mode == "dynamic") p.mode = Mode::kDynamic;
    else if (mode != "undefined") return invalid_model("{}: AIPP aipp_mode '{}' is not static/dynamic", what, mode);
    get("related_input_rank", p.related_input_rank);
    get("related_input_name", p.related_input_name);
    if (j.contains("input_edge_idx")) {
      uint32_t v = 0;
      get("input_edge_idx", v);
      p.input_edge_idx = v;
    }
    get("max_src_image_size", p.max_src_image_size);
    get("support_rotation", p.support_rotation);
    get("input_format", format);
    bool known = false;
    for (int v : {0, 1, 2, 3, 4, 7, 8, 9, 10}) {
      if (format == input_format_name(static_cast<InputFormat>(v))) {
        p.input_format = static_cast<InputFormat>(v);
        known = true;
      }
    }
    if (!known) return invalid_model("{}: AIPP input_format '{}' is unknown", what, format);
    get("csc_switch", p.csc_switch);
    get("rbuv_swap_switch", p.rbuv_swap_switch);
    get("ax_swap_switch", p.ax_swap_switch);
    get("single_line_mode", p.single_line_mode);
    get("src_image_size_w", p.src_image_size_w);
    get("src_image_size_h", p.src_image_size_h);
    get("crop", p.crop);
    get("load_start_pos_w", p.load_start_pos_w);
    get("load_start_pos_h", p.load_start_pos_h);
    get("crop_size_w", p.crop_size_w);
    get("crop_size_h", p.crop_size_h);
    get("resize", p.resize);
    get("resize_output_w", p.resize_output_w);
    get("resize_output_h", p.resize_output_h);
    get("padding", p.padding);
    get("left_padding_size", p.left_padding_size);
    get("right_padding_size", p.right_padding_size);
    get("top_padding_size", p.top_padding_size);
    get("bottom_padding_size", p.bottom_padding_size);
    get("padding_value", p.padding_value);
    get("cpadding_value", p.cpadding_value);
    get("mean_chn", p.mean_chn);
    get("min_chn", p.min_chn);
    get("var_reci_chn", p.var_reci_chn);
    get("matrix", p.matrix);
    get("output_bias", p.output_bias);
    get("input_bias", p.input_bias);
    get("raw_rgbir_to_f16_n", p.raw_rgbir_to_f16_n);
  } catch (const nlohmann::json::exception& e) {
    return invalid_model("{}: AIPP field '{}': {}", what, field, e.what());
  }
  return p;
}

}  // namespace kiln::aipp
