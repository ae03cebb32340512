#include "ops/kiln/activation.h"

namespace kiln {

namespace {

struct ActSpelling {
  const char* name;
  ActKind kind;
  size_t params;
};

constexpr ActSpelling kSpellings[] = {
    {"", ActKind::kNone, 0},          {"Relu", ActKind::kRelu, 0},
    {"LeakyRelu", ActKind::kLeakyRelu, 1}, {"Clip", ActKind::kClip, 2},
    {"Sigmoid", ActKind::kSigmoid, 0}, {"Tanh", ActKind::kTanh, 0},
    {"HardSigmoid", ActKind::kHardSigmoid, 2}, {"HardSwish", ActKind::kHardSwish, 0},
    {"Silu", ActKind::kSilu, 0},      {"Gelu", ActKind::kGelu, 0},
    {"GeluTanh", ActKind::kGeluTanh, 0},
};

}  // namespace

Expected<Activation> Activation::from_node(const ir::Node& node, const std::string& prefix) {
  const std::string act_key = prefix + "activation", params_key = prefix + "activation_params",
                    affine_key = prefix + "activation_affine";
  std::string name = node.attr_string(act_key, "");
  std::vector<float> params = node.attr_floats(params_key);
  for (const ActSpelling& s : kSpellings) {
    if (name != s.name) continue;
    if (params.size() != s.params) {
      return invalid_model("{}: {} '{}' takes {} {}, got {}", node.label(), act_key, name, s.params, params_key,
                           params.size());
    }
    Activation a;
    a.kind = s.kind;
    if (s.params >= 1) a.alpha = params[0];
    if (s.params >= 2) a.beta = params[1];
    if (node.has_attr(affine_key)) {
      std::vector<float> affine = node.attr_floats(affine_key);
      if (affine.size() != 2) {
        return invalid_model("{}: {} must be [scale, shift], got {} values", node.label(), affine_key, affine.size());
      }
      a.scale = affine[0];
      a.shift = affine[1];
    }
    return a;
  }
  std::string known;
  for (const ActSpelling& s : kSpellings) {
    if (*s.name) known += (known.empty() ? "" : ", ") + std::string(s.name);
  }
  return invalid_model("{}: unknown {} '{}' (expected one of: {})", node.label(), act_key, name, known);
}

std::string Activation::name() const {
  for (const ActSpelling& s : kSpellings) {
    if (s.kind == kind) return s.name;
  }
  return "";
}

std::vector<float> Activation::params() const {
  switch (kind) {
    case ActKind::kLeakyRelu: return {alpha};
    case ActKind::kClip:
    case ActKind::kHardSigmoid: return {alpha, beta};
    default: return {};
  }
}

void Activation::write_to(ir::Node& node, const std::string& prefix) const {
  node.attrs.erase(prefix + "activation");
  node.attrs.erase(prefix + "activation_params");
  node.attrs.erase(prefix + "activation_affine");
  if (has_affine()) {
    ir::Attribute f;
    f.kind = ir::Attribute::Kind::kFloats;
    f.floats = {scale, shift};
    node.attrs[prefix + "activation_affine"] = f;
  }
  if (kind == ActKind::kNone) return;
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = name();
  node.attrs[prefix + "activation"] = a;
  std::vector<float> p = params();
  if (!p.empty()) {
    ir::Attribute f;
    f.kind = ir::Attribute::Kind::kFloats;
    f.floats = p;
    node.attrs[prefix + "activation_params"] = f;
  }
}

}  // namespace kiln
