#include "converter/fusion_switch.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "converter/input_shape.h"
#include "core/file_util.h"
#include "passes/pipeline.h"

namespace kiln::convert {

namespace {

const std::map<std::string, std::vector<std::string>>& atc_pass_map() {
  static const std::map<std::string, std::vector<std::string>> kMap = {
      {"GraphFusion:ALL", {"fuse_batchnorm", "fuse_matmul_add", "fuse_activation_patterns", "simplify_transposes"}},
      {"UBFusion:ALL", {"fuse_conv"}},
      {"ConvBatchnormFusionPass", {"fuse_batchnorm"}},
      {"ConvScaleFusionPass", {"fuse_batchnorm"}},
      {"BatchNormBnInferFusionPass", {"fuse_batchnorm"}},
      {"MatMulBiasAddFusionPass", {"fuse_matmul_add"}},
      {"FCFusionPass", {"fuse_matmul_add"}},
      {"BatchMatMulFusionPass", {"fuse_matmul_add"}},
      {"ConvReluFusionPass", {"fuse_conv"}},
      {"TbeConvElemwiseFusionPass", {"fuse_conv"}},
      {"TbeConvReluFusionPass", {"fuse_conv"}},
      {"ConvBiasAddFusionPass", {"fuse_conv"}},
      {"TbeConv2DAddMulQuantPass", {"fuse_conv"}},
      {"TransposeReshapeFusionPass", {"simplify_transposes"}},
      {"TransposeTransposeFusionPass", {"simplify_transposes"}},
      {"ConstantFoldingPass", {"fold_constants"}},
  };
  return kMap;
}

void apply(FusionSwitches& sw, const std::string& scope, const std::string& name, const std::string& state,
           const std::string& where) {
  if (state != "off" && state != "on") {
    sw.warnings.push_back(fmt::format("{}: '{}' for pass '{}' is neither on nor off; ignored", where, state, name));
    return;
  }
  std::vector<std::string> passes;
  auto it = atc_pass_map().find(name == "ALL" ? scope + ":ALL" : name);
  if (it != atc_pass_map().end()) {
    passes = it->second;
  } else {
    for (const Pass& p : optimization_passes()) {
      if (p.name == name) passes = {name};
    }
  }
  if (passes.empty()) {
    sw.warnings.push_back(fmt::format("{}: fusion pass '{}' has no Kiln counterpart; ignored", where, name));
    return;
  }
  for (const std::string& p : passes) {
    auto pos = std::find(sw.disabled_passes.begin(), sw.disabled_passes.end(), p);
    if (state == "off" && pos == sw.disabled_passes.end()) sw.disabled_passes.push_back(p);
    if (state == "on" && pos != sw.disabled_passes.end()) sw.disabled_passes.erase(pos);
  }
}

}  // namespace

Expected<FusionSwitches> parse_fusion_switch(const std::string& text, const std::string& file) {
  FusionSwitches sw;
  const std::string body = trim(text);
  if (!body.empty() && body.front() == '{') {
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return invalid_argument("E10032: Failed to parse JSON file {}. Reason: not valid JSON.", file);
    }
    const nlohmann::json* root = doc.contains("Switch") ? &doc["Switch"] : &doc;
    if (!root->is_object()) return invalid_argument("E10032: Failed to parse JSON file {}. Reason: \"Switch\" is not an object.", file);
    for (const auto& [scope, passes] : root->items()) {
      if (!passes.is_object()) {
        return invalid_argument("E10032: Failed to parse JSON file {}. Reason: \"{}\" is not an object of \"Pass\": \"on|off\".", file, scope);
      }
      for (const auto& [name, state] : passes.items()) {
        if (!state.is_string()) {
          return invalid_argument("E10032: Failed to parse JSON file {}. Reason: value of \"{}\".\"{}\" is not a string.", file, scope, name);
        }
        apply(sw, scope, name, state.get<std::string>(), file);
      }
    }
    return sw;
  }
  int line_no = 0;
  std::istringstream lines(text);
  for (std::string raw; std::getline(lines, raw);) {
    ++line_no;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.rfind(':');
    if (colon == std::string::npos) {
      return invalid_argument("E10001: {}:{}: '{}' must be PassName:off or PassName:on", file, line_no, line);
    }
    apply(sw, "GraphFusion", trim(line.substr(0, colon)), trim(line.substr(colon + 1)),
          fmt::format("{}:{}", file, line_no));
  }
  return sw;
}

Expected<FusionSwitches> read_fusion_switch_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return invalid_argument("E10001: Value [{}] for parameter [--fusion_switch_file] is invalid. Reason: {}", path,
                            text.status().message());
  }
  return parse_fusion_switch(*text, path);
}

}  // namespace kiln::convert
