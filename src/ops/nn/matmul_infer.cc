// Shape inference of Gemm and the MatMul family.
#include "ops/nn/nn_ops.h"

namespace kiln {

Status infer_gemm(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("inputs A and B are required");
  const ir::TypeInfo& a = ctx.input_type(0);
  const ir::TypeInfo& b = ctx.input_type(1);
  if (!a.dims || !b.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor(a.elem, std::vector<ir::Dim>(2)));
    return Status::ok();
  }
  if (a.dims->size() != 2 || b.dims->size() != 2) return ctx.error("A {} and B {} must be 2-D", a.str(), b.str());
  bool ta = ctx.node().attr_int("transA", 0) != 0;
  bool tb = ctx.node().attr_int("transB", 0) != 0;
  ir::Dim m = (*a.dims)[ta ? 1 : 0], ka = (*a.dims)[ta ? 0 : 1];
  ir::Dim kb = (*b.dims)[tb ? 1 : 0], n = (*b.dims)[tb ? 0 : 1];
  if (ka.known() && kb.known() && ka.value != kb.value) {
    return ctx.error("inner dimensions differ: A {} (transA={}) and B {} (transB={})", a.str(), ta, b.str(), tb);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(a.elem, {m, n}));
  return Status::ok();
}

Status infer_matmul(InferContext& ctx) {
  const std::string& op = ctx.node().op_type;
  size_t bi = op == "QLinearMatMul" ? 3 : 1;
  if (!ctx.has_input(0) || !ctx.has_input(bi)) return ctx.error("inputs A and B are required");
  const ir::TypeInfo& a = ctx.input_type(0);
  const ir::TypeInfo& b = ctx.input_type(bi);
  DType dtype = op == "MatMulInteger" ? DType::kInt32
                : op == "QLinearMatMul" ? (ctx.has_input(7) ? ctx.input_type(7).elem : a.elem)
                                        : a.elem;
  if (!a.dims || !b.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(dtype));
    return Status::ok();
  }
  std::vector<ir::Dim> ad = *a.dims, bd = *b.dims;
  if (ad.empty() || bd.empty()) return ctx.error("operands must have rank >= 1, got {} and {}", a.str(), b.str());
  bool a_vec = ad.size() == 1, b_vec = bd.size() == 1;
  if (a_vec) ad.insert(ad.begin(), ir::Dim(1));
  if (b_vec) bd.push_back(ir::Dim(1));
  const ir::Dim& ka = ad.back();
  const ir::Dim& kb = bd[bd.size() - 2];
  if (ka.known() && kb.known() && ka.value != kb.value) {
    return ctx.error("inner dimensions differ: {} and {}", a.str(), b.str());
  }
  std::vector<ir::Dim> abatch(ad.begin(), ad.end() - 2), bbatch(bd.begin(), bd.end() - 2);
  auto batch = broadcast_dims(abatch, bbatch);
  if (!batch) return ctx.error("batch dims cannot be broadcast: {}", batch.status().message());
  std::vector<ir::Dim> out = *batch;
  if (!a_vec) out.push_back(ad[ad.size() - 2]);
  if (!b_vec) out.push_back(bd.back());
  ctx.set_output(0, ir::TypeInfo::tensor(dtype, out));
  return Status::ok();
}

}  // namespace kiln
