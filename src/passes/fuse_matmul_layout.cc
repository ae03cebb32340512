// fuse_matmul_layout: folds the data movement and scaling around a MatMul into kiln.FusedMatMul
// (ops/kiln/matmul_layout.h), the shape of a transformer's attention:
//   MatMul(Transpose(A), Transpose(B))  -> FusedMatMul(A, B) with perm_a / perm_b
//   Transpose(MatMul(A, B))             -> FusedMatMul(A, B) with perm_y
//   Div(MatMul(A, B), c), Mul(.., c)    -> FusedMatMul(A, B) with alpha = 1/c or c (c a scalar)
//   Add(MatMul(A, B), C)                -> FusedMatMul(A, B, C), C broadcast to the product
// A folded transpose must leave one of the two matrix dims of its operand (for perm_y: the
// product's last dim) with unit stride, the layouts a GEMM reads and writes in place; others stay
// Transpose nodes. Only products of two computed operands are rewritten: a MatMul by constant
// weights keeps its plain form, whose weights the kernel packs once and whose few-row cases
// take the packed GEMM (PP-OCRv4 rec's 40 x 120 x 6625 head with its input transpose folded ran
// 0.93-1.12 ms against 0.77-0.94 ms plus 0.01 ms for the Transpose). Each Transpose is a full copy of its tensor (BERT-base: 48 per run), the Div
// and the Add each one pass over the 12 x 128 x 128 scores.
#include <cmath>

#include "ops/kiln/kiln_ops.h"
#include "ops/kiln/matmul_layout.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

bool is_f32(const ir::Value* v) { return v && v->type.elem == DType::kFloat32; }

// A MatMul or a FusedMatMul on float32 of two computed (non-constant) operands.
bool matmul_like(const ir::Node* n) {
  if (!n || n->outputs.size() != 1 || n->inputs.size() < 2 || !is_f32(n->inputs[0]) || !is_f32(n->inputs[1])) {
    return false;
  }
  if (passes::known(n->inputs[0]) || passes::known(n->inputs[1])) return false;
  return (n->domain.empty() && n->op_type == "MatMul") || (n->domain == kKilnDomain && n->op_type == "FusedMatMul");
}

bool has_activation(const ir::Node& n) { return !n.attr_string("activation", "").empty(); }
bool has_addend(const ir::Node& n) { return n.has_input(2); }

// The producer of `v` when it is a matmul_like node whose output only `v`'s consumer reads.
ir::Node* sole_matmul(passes::Rewrite& rw, ir::Value* v) {
  ir::Node* mm = v ? v->producer : nullptr;
  if (rw.dead(mm) || !matmul_like(mm) || !passes::sole_use(rw.graph, mm->outputs[0])) return nullptr;
  return mm;
}

MatMulLayout layout_of(const ir::Node& mm) {
  auto l = MatMulLayout::from_node(mm);
  return l ? *l : MatMulLayout{};
}

// Replaces `mm` by a FusedMatMul with `inputs`, `layout` and mm's activation, writing `out`.
void remake(passes::Rewrite& rw, ir::Node& mm, std::vector<ir::Value*> inputs, const MatMulLayout& layout,
            ir::Value* out) {
  ir::Node* f = rw.graph.add_node("FusedMatMul", std::string(kKilnDomain), 1, std::move(inputs), {out}, mm.name);
  if (mm.domain == kKilnDomain) f->attrs = mm.attrs;
  layout.write_to(*f);
  rw.remove(&mm);
}

// perm keeps a unit-stride axis among the operand's last two logical dims.
bool gemm_readable(const std::vector<int64_t>& perm) {
  const size_t r = perm.size();
  const auto last = static_cast<int64_t>(r - 1);
  return r >= 2 && (perm[r - 1] == last || perm[r - 2] == last);
}

// MatMul(Transpose(x), ...) / MatMul(..., Transpose(x)): read x in place.
bool fold_operand_transposes(ir::Node& n, passes::Rewrite& rw) {
  if (!matmul_like(&n)) return false;
  MatMulLayout l = layout_of(n);
  std::vector<ir::Value*> inputs = n.inputs;
  bool changed = false;
  for (size_t i = 0; i < 2; ++i) {
    std::vector<int64_t>& perm = i == 0 ? l.perm_a : l.perm_b;
    ir::Node* t = passes::producer_if(rw, n.inputs[i], "Transpose");
    if (!perm.empty() || !t || !passes::sole_use(rw.graph, n.inputs[i]) || n.inputs[0] == n.inputs[1]) continue;
    std::vector<int64_t> p = passes::transpose_perm(*t);
    if (!gemm_readable(p)) continue;
    perm = p;
    inputs[i] = t->inputs[0];
    rw.remove(t);
    changed = true;
  }
  if (changed) remake(rw, n, inputs, l, n.outputs[0]);
  return changed;
}

// Transpose(MatMul(...)): write the result transposed.
bool fold_result_transpose(ir::Node& t, passes::Rewrite& rw) {
  if (!t.domain.empty() || t.op_type != "Transpose" || t.inputs.empty()) return false;
  ir::Node* mm = sole_matmul(rw, t.inputs[0]);
  if (!mm) return false;
  MatMulLayout l = layout_of(*mm);
  std::vector<int64_t> p = passes::transpose_perm(t);
  // Not with an addend: oneDNN cannot add a broadcast operand into a transposed result.
  if (!l.perm_y.empty() || has_addend(*mm) || p.size() < 2 || p.back() != static_cast<int64_t>(p.size() - 1)) {
    return false;
  }
  l.perm_y = p;
  remake(rw, *mm, mm->inputs, l, t.outputs[0]);
  rw.remove(&t);
  return true;
}

// Div(MatMul(...), c) / Mul(MatMul(...), c) / Mul(c, MatMul(...)) with a scalar constant c.
bool fold_scale(ir::Node& n, passes::Rewrite& rw) {
  const bool div = n.op_type == "Div", mul = n.op_type == "Mul";
  if (!n.domain.empty() || (!div && !mul) || n.inputs.size() != 2) return false;
  for (size_t side = 0; side < (mul ? 2u : 1u); ++side) {
    ir::Node* mm = sole_matmul(rw, n.inputs[side]);
    const Tensor* c = passes::known(n.inputs[1 - side]);
    // A scalar of rank <= 1 never changes the product's shape.
    if (!mm || has_addend(*mm) || has_activation(*mm) || !c || c->numel() != 1 || c->rank() > 1 ||
        c->dtype() != DType::kFloat32) {
      continue;
    }
    const float v = c->data<float>()[0];
    if (!(div ? v != 0.f && std::isfinite(1.f / v) : std::isfinite(v))) continue;
    MatMulLayout l = layout_of(*mm);
    l.alpha = div ? l.alpha / v : l.alpha * v;
    remake(rw, *mm, mm->inputs, l, n.outputs[0]);
    rw.remove(&n);
    return true;
  }
  return false;
}

// Add(MatMul(...), C): C becomes the addend when it broadcasts to the product without growing it.
bool fold_addend(ir::Node& n, passes::Rewrite& rw) {
  if (!n.domain.empty() || n.op_type != "Add" || n.inputs.size() != 2 || !n.has_output(0)) return false;
  for (size_t side = 0; side < 2; ++side) {
    ir::Node* mm = sole_matmul(rw, n.inputs[side]);
    ir::Value* c = n.inputs[1 - side];
    if (!mm || c == mm->outputs[0] || has_addend(*mm) || has_activation(*mm) || !is_f32(c)) continue;
    // The addend lives in the product's coordinates: not behind perm_y.
    if (!layout_of(*mm).perm_y.empty()) continue;
    const ir::TypeInfo& prod = mm->outputs[0]->type;
    const ir::TypeInfo& sum = n.outputs[0]->type;
    if (!prod.fully_known() || !sum.fully_known() || !c->type.has_rank() || prod.concrete() != sum.concrete() ||
        c->type.rank() > prod.rank()) {
      continue;
    }
    std::vector<ir::Value*> inputs = {mm->inputs[0], mm->inputs[1], c};
    remake(rw, *mm, inputs, layout_of(*mm), n.outputs[0]);
    rw.remove(&n);
    return true;
  }
  return false;
}

}  // namespace

Expected<bool> fuse_matmul_layout(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& n, passes::Rewrite& rw) -> Expected<bool> {
    if (rw.dead(&n)) return false;
    return fold_operand_transposes(n, rw) || fold_result_transpose(n, rw) || fold_scale(n, rw) || fold_addend(n, rw);
  });
}

}  // namespace kiln
