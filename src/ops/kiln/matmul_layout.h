// kiln.FusedMatMul's operand layout and scale: attributes that let a fused MatMul read transposed
// operands and write a transposed result in place of separate Transpose nodes (attention's
// per-head Q/K/V views), and fold a constant scale. Shared by shape inference, the reference
// kernel, the optimized kernel and the fusion pass.
//
//   perm_a, perm_b   the logical operand is Transpose(input, perm): logical dim j reads the
//                    stored input's axis perm[j] (absent: the input as stored)
//   perm_y           the stored output is Transpose(result, perm_y) (absent: as computed)
//   alpha            scales A x B before the addend and the activation (default 1)
//
// So kiln.FusedMatMul(A, B, C?) = Transpose(act(alpha * (A' x B') + C), perm_y), with
// A' = Transpose(A, perm_a), B' = Transpose(B, perm_b), and C broadcast to the product's shape.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"

namespace kiln {

struct MatMulLayout {
  std::vector<int64_t> perm_a, perm_b, perm_y;  // empty: identity
  float alpha = 1;

  static Expected<MatMulLayout> from_node(const ir::Node& node);
  void write_to(ir::Node& node) const;
  bool transposes() const { return !perm_a.empty() || !perm_b.empty() || !perm_y.empty(); }
  bool plain() const { return !transposes() && alpha == 1.f; }

  // Checks `perm` against `rank`; the error names the attribute.
  static Status check_perm(const std::vector<int64_t>& perm, size_t rank, const char* attr);
};

// dims permuted: out[j] = dims[perm[j]] (identity when perm is empty).
template <typename T>
std::vector<T> permute_dims(const std::vector<T>& dims, const std::vector<int64_t>& perm) {
  if (perm.empty()) return dims;
  std::vector<T> out;
  out.reserve(perm.size());
  for (int64_t p : perm) out.push_back(dims[static_cast<size_t>(p)]);
  return out;
}

// The inverse permutation.
std::vector<int64_t> inverse_perm(const std::vector<int64_t>& perm);

// Element strides of Transpose(x, perm) read in place from x stored row-major with shape `stored`:
// logical dim j is stored axis perm[j] (perm empty: x's own row-major strides).
std::vector<int64_t> strides_through(const Shape& stored, const std::vector<int64_t>& perm);
// Element strides of a result R written in place as Transpose(R, perm_y) with shape `stored`:
// R's dim perm_y[i] is stored axis i.
std::vector<int64_t> strides_behind(const Shape& stored, const std::vector<int64_t>& perm_y);

}  // namespace kiln

namespace kiln {

// kiln.Attention(Q, K, V, mask?) -> Y: scaled dot-product attention with its operands read in
// place through permutations, the fusion of FusedMatMul -> Softmax -> FusedMatMul:
//   Y = Transpose(softmax(alpha * Q' x K' + mask, last axis) x V', perm_y)
// with Q' = Transpose(Q, perm_q) [..., Sq, D], K' = Transpose(K, perm_k) [..., D, Sk],
// V' = Transpose(V, perm_v) [..., Sk, Dv] (absent perms: as stored) and the mask broadcast to the
// scores [..., Sq, Sk]. One node keeps each head's scores in cache between the three steps.
struct AttentionLayout {
  std::vector<int64_t> perm_q, perm_k, perm_v, perm_y;
  float alpha = 1;

  static Expected<AttentionLayout> from_node(const ir::Node& node);
  void write_to(ir::Node& node) const;
  // The scores FusedMatMul's and the context FusedMatMul's layouts, for the reference kernel.
  MatMulLayout scores() const { return {perm_q, perm_k, {}, alpha}; }
  MatMulLayout context() const { return {{}, perm_v, perm_y, 1.f}; }
};

}  // namespace kiln
