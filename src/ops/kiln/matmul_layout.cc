#include "ops/kiln/matmul_layout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

namespace kiln {

Status MatMulLayout::check_perm(const std::vector<int64_t>& perm, size_t rank, const char* attr) {
  if (perm.empty()) return Status::ok();
  std::vector<bool> seen(perm.size(), false);
  bool ok = perm.size() == rank;
  for (int64_t p : perm) {
    if (!ok || p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[static_cast<size_t>(p)]) {
      ok = false;
      break;
    }
    seen[static_cast<size_t>(p)] = true;
  }
  if (ok) return Status::ok();
  return invalid_argument("attribute {} = [{}] must be a permutation of the {} axes of its tensor", attr,
                          fmt::join(perm, ", "), rank);
}

namespace {

Expected<float> read_alpha(const ir::Node& node) {
  const float alpha = node.attr_float("alpha", 1.f);
  if (!std::isfinite(alpha)) return invalid_argument("node '{}': attribute alpha must be finite", node.name);
  return alpha;
}

}  // namespace

Expected<MatMulLayout> MatMulLayout::from_node(const ir::Node& node) {
  MatMulLayout l;
  l.perm_a = node.attr_ints("perm_a");
  l.perm_b = node.attr_ints("perm_b");
  l.perm_y = node.attr_ints("perm_y");
  KILN_ASSIGN_OR_RETURN(l.alpha, read_alpha(node));
  return l;
}

namespace {

// Writes a perm attribute, or removes it when empty (identity).
void set_perm(ir::Node& node, const char* key, const std::vector<int64_t>& v) {
  if (v.empty()) {
    node.attrs.erase(key);
    return;
  }
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = v;
  node.attrs[key] = a;
}

void set_alpha(ir::Node& node, float alpha) {
  if (alpha == 1.f) {
    node.attrs.erase("alpha");
    return;
  }
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kFloat;
  a.f = alpha;
  node.attrs["alpha"] = a;
}

}  // namespace

void MatMulLayout::write_to(ir::Node& node) const {
  set_perm(node, "perm_a", perm_a);
  set_perm(node, "perm_b", perm_b);
  set_perm(node, "perm_y", perm_y);
  set_alpha(node, alpha);
}

Expected<AttentionLayout> AttentionLayout::from_node(const ir::Node& node) {
  AttentionLayout l;
  l.perm_q = node.attr_ints("perm_q");
  l.perm_k = node.attr_ints("perm_k");
  l.perm_v = node.attr_ints("perm_v");
  l.perm_y = node.attr_ints("perm_y");
  KILN_ASSIGN_OR_RETURN(l.alpha, read_alpha(node));
  return l;
}

void AttentionLayout::write_to(ir::Node& node) const {
  set_perm(node, "perm_q", perm_q);
  set_perm(node, "perm_k", perm_k);
  set_perm(node, "perm_v", perm_v);
  set_perm(node, "perm_y", perm_y);
  set_alpha(node, alpha);
}

std::vector<int64_t> inverse_perm(const std::vector<int64_t>& perm) {
  std::vector<int64_t> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return inv;
}

std::vector<int64_t> strides_through(const Shape& stored, const std::vector<int64_t>& perm) {
  std::vector<int64_t> st(stored.size(), 1);
  for (size_t i = stored.size(); i-- > 1;) st[i - 1] = st[i] * stored[i];
  return permute_dims(st, perm);
}

std::vector<int64_t> strides_behind(const Shape& stored, const std::vector<int64_t>& perm_y) {
  const std::vector<int64_t> st = strides_through(stored, {});
  if (perm_y.empty()) return st;
  std::vector<int64_t> out(st.size());
  for (size_t i = 0; i < st.size(); ++i) out[static_cast<size_t>(perm_y[i])] = st[i];
  return out;
}

}  // namespace kiln
