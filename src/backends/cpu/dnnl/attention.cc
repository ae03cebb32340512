// kiln.Attention (ops/kiln/matmul_layout.h) on oneDNN, a few heads at a time: the (batch, head)
// items are cut into chunks of c heads, the chunks are split between the threads in contiguous
// runs, and the thread that owns a chunk runs three single-threaded primitives on it (oneDNN runs
// sequentially inside a parallel region):
//   scores  = alpha * Q_h x K_h + mask_h   batched matmul with an output scale and a binary add
//                                           post-op, into a per-thread buffer of c x Sq x Sk floats
//   probs   = softmax(scores)              in place
//   Y_h     = probs x V_h                  batched matmul writing through Y's strides
// c keeps the scores within 384 KiB of the 512 KiB L2 and the chunks a multiple of the thread count
// (BERT-base on 2 threads: 6 heads, 384 KiB). One batched call for 6 heads took 0.15 ms against
// 0.18 ms head by head (1 thread, hot); in BERT-base on 2 threads the 12 Attention nodes summed to
// 8.0-9.1 ms with 6 heads per call, 9.7-10.5 with 3, against 11.7-12.4 ms for the three nodes
// unfused and 11.8-12.9 before fuse_matmul_layout (alternating profiles).
// Q, K, V and Y are read and written in place through the perms. As three parallel nodes, each
// split the work its own way and read most of the scores from the other core's cache: in
// BERT-base on this 2-vCPU machine the Softmax after the scores product took 0.29 ms, against 0.15
// when its input had been written by the same core. Static shapes only; other shapes, and
// layouts no GEMM reads in place, run the reference kernel.
#include <omp.h>

#include <atomic>
#include <string>

#include "backends/cpu/dnnl/dnnl_common.h"
#include "backends/cpu/dnnl/matmul_kernels.h"
#include "backends/reference/kiln/kiln_kernels.h"
#include "ops/kiln/matmul_layout.h"

namespace kiln::cpu {

namespace {

using dnnl::memory;

constexpr size_t kAlign = 64;
size_t aligned(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Row-major strides of a stored shape, seen through `perm` (logical dim j is stored axis perm[j]).
std::vector<int64_t> logical_strides(const Shape& stored, const std::vector<int64_t>& perm) {
  std::vector<int64_t> st(stored.size(), 1);
  for (size_t i = stored.size(); i-- > 1;) st[i - 1] = st[i] * stored[i];
  if (perm.empty()) return st;
  std::vector<int64_t> out;
  for (int64_t p : perm) out.push_back(st[static_cast<size_t>(p)]);
  return out;
}

bool ref_impl(const dnnl::primitive_desc_base& pd) { return std::string_view(pd.impl_info_str()).starts_with("ref"); }

class AttentionKernel : public OpKernel {
 public:
  // The stored shapes the primitives were made for.
  Shape q_shape, k_shape, v_shape, mask_shape, y_shape;
  bool has_mask = false;
  // Batch dims (all but the last two logical dims) and each operand's element stride along them
  // (0 where the mask broadcasts).
  std::vector<int64_t> batch, q_bs, k_bs, v_bs, y_bs, m_bs;
  int64_t items = 1, chunk = 1;  // chunk: heads per call, along the last batch dim
  dnnl::matmul scores_prim, context_prim;
  dnnl::softmax_v2_forward softmax_prim;
  memory::desc q_md, k_md, s_md, x_md, m_md, v_md, y_md, scratch_md;
  size_t scores_bytes = 0, scratch_bytes = 0;
  onednn::CallArgs scores_args, softmax_args, context_args;

  static constexpr int kMaskArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;

  Status run(KernelContext& ctx) const override {
    if (ctx.input(0).shape() != q_shape || ctx.input(1).shape() != k_shape || ctx.input(2).shape() != v_shape ||
        ctx.has_input(3) != has_mask || (has_mask && ctx.input(3).shape() != mask_shape)) {
      return reference::attention(ctx);
    }
    const float* q = ctx.input(0).data<float>();
    const float* k = ctx.input(1).data<float>();
    const float* v = ctx.input(2).data<float>();
    const float* mask = has_mask ? ctx.input(3).data<float>() : nullptr;
    float* y = ctx.allocate_output_uninit(0, DType::kFloat32, y_shape).data<float>();
    const int64_t chunks = items / chunk;
    const int threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), chunks));
    const size_t per_thread = aligned(scores_bytes) + aligned(scratch_bytes);
    char* scratch = static_cast<char*>(ctx.scratch(per_thread * static_cast<size_t>(threads)));
    std::atomic<bool> failed{false};
    std::string error;
#pragma omp parallel num_threads(threads)
    {
      char* mine = scratch + per_thread * static_cast<size_t>(omp_get_thread_num());
      float* s = reinterpret_cast<float*>(mine);
      void* sp = mine + aligned(scores_bytes);
      try {
#pragma omp for schedule(static)
        for (int64_t ch = 0; ch < chunks; ++ch) {
          const int64_t item = ch * chunk;
          int64_t qo = 0, ko = 0, vo = 0, yo = 0, mo = 0;
          for (size_t d = batch.size(), rest = static_cast<size_t>(item); d-- > 0;) {
            const auto i = static_cast<int64_t>(rest % static_cast<size_t>(batch[d]));
            rest /= static_cast<size_t>(batch[d]);
            qo += i * q_bs[d];
            ko += i * k_bs[d];
            vo += i * v_bs[d];
            yo += i * y_bs[d];
            mo += i * m_bs[d];
          }
          onednn::ArgMap& sa = scores_args.get([&] {
            onednn::ArgMap m = {{DNNL_ARG_SRC, onednn::wrap(q_md, nullptr)},
                                {DNNL_ARG_WEIGHTS, onednn::wrap(k_md, nullptr)},
                                {DNNL_ARG_DST, onednn::wrap(s_md, nullptr)},
                                {DNNL_ARG_SCRATCHPAD, onednn::wrap(scratch_md, nullptr)}};
            if (has_mask) m.insert({kMaskArg, onednn::wrap(m_md, nullptr)});
            return m;
          });
          onednn::point(sa, DNNL_ARG_SRC, q + qo);
          onednn::point(sa, DNNL_ARG_WEIGHTS, k + ko);
          onednn::point(sa, DNNL_ARG_DST, s);
          onednn::point(sa, DNNL_ARG_SCRATCHPAD, sp);
          if (has_mask) onednn::point(sa, kMaskArg, mask + mo);
          scores_prim.execute(onednn::stream(), sa);

          onednn::ArgMap& xa = softmax_args.get([&] {
            return onednn::ArgMap{{DNNL_ARG_SRC, onednn::wrap(x_md, nullptr)},
                                  {DNNL_ARG_DST, onednn::wrap(x_md, nullptr)},
                                  {DNNL_ARG_SCRATCHPAD, onednn::wrap(scratch_md, nullptr)}};
          });
          onednn::point(xa, DNNL_ARG_SRC, s);
          onednn::point(xa, DNNL_ARG_DST, s);
          onednn::point(xa, DNNL_ARG_SCRATCHPAD, sp);
          softmax_prim.execute(onednn::stream(), xa);

          onednn::ArgMap& ca = context_args.get([&] {
            return onednn::ArgMap{{DNNL_ARG_SRC, onednn::wrap(s_md, nullptr)},
                                  {DNNL_ARG_WEIGHTS, onednn::wrap(v_md, nullptr)},
                                  {DNNL_ARG_DST, onednn::wrap(y_md, nullptr)},
                                  {DNNL_ARG_SCRATCHPAD, onednn::wrap(scratch_md, nullptr)}};
          });
          onednn::point(ca, DNNL_ARG_SRC, s);
          onednn::point(ca, DNNL_ARG_WEIGHTS, v + vo);
          onednn::point(ca, DNNL_ARG_DST, y + yo);
          onednn::point(ca, DNNL_ARG_SCRATCHPAD, sp);
          context_prim.execute(onednn::stream(), ca);
        }
        onednn::stream().wait();
      } catch (const dnnl::error& e) {
        if (!failed.exchange(true)) error = e.what();
      }
    }
    if (failed) return ctx.error("oneDNN execution failed: {}", error);
    return Status::ok();
  }
};

bool is_f32(const ir::TypeInfo* t) { return t && t->is_tensor() && t->elem == DType::kFloat32 && t->fully_known(); }

// Heads per call: a divisor of the last batch dim `heads` whose scores fit `budget` bytes, the
// largest that gives each of `threads` threads the same number of calls (else the largest).
int64_t pick_chunk(int64_t heads, int64_t items, int64_t scores_bytes, int threads) {
  constexpr int64_t kBudget = 384 << 10;
  int64_t fallback = 1;
  for (int64_t c = heads; c >= 1; --c) {
    if (heads % c != 0 || c * scores_bytes > kBudget) continue;
    if ((items / c) % threads == 0) return c;
    fallback = std::max(fallback, c);
  }
  return fallback;
}

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_attention(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (node.num_inputs() < 3 || node.num_outputs() != 1) return onednn::decline();
  for (size_t i = 0; i < node.num_inputs(); ++i) {
    if ((i < 3 || node.has_input(i)) && !is_f32(pctx.input_type(i))) return onednn::decline();
  }
  auto layout = AttentionLayout::from_node(node);
  if (!layout) return onednn::decline();  // the reference kernel reports it
  auto k = std::make_unique<AttentionKernel>();
  k->q_shape = pctx.input_type(0)->concrete();
  k->k_shape = pctx.input_type(1)->concrete();
  k->v_shape = pctx.input_type(2)->concrete();
  k->has_mask = node.has_input(3);
  if (k->has_mask) k->mask_shape = pctx.input_type(3)->concrete();
  const size_t r = k->q_shape.size();
  if (r < 2 || k->k_shape.size() != r || k->v_shape.size() != r || (k->has_mask && k->mask_shape.size() > r)) {
    return onednn::decline();
  }
  for (auto [perm, shape] : {std::pair{&layout->perm_q, &k->q_shape}, std::pair{&layout->perm_k, &k->k_shape},
                             std::pair{&layout->perm_v, &k->v_shape}}) {
    if (!MatMulLayout::check_perm(*perm, shape->size(), "perm").is_ok()) return onednn::decline();
  }
  if (!MatMulLayout::check_perm(layout->perm_y, r, "perm_y").is_ok()) return onednn::decline();
  const Shape ql = permute_dims(k->q_shape, layout->perm_q), kl = permute_dims(k->k_shape, layout->perm_k),
              vl = permute_dims(k->v_shape, layout->perm_v);
  const auto qs = logical_strides(k->q_shape, layout->perm_q), ks = logical_strides(k->k_shape, layout->perm_k),
             vs = logical_strides(k->v_shape, layout->perm_v);
  const int64_t sq = ql[r - 2], d = ql[r - 1], sk = kl[r - 1], dv = vl[r - 1];
  if (kl[r - 2] != d || vl[r - 2] != sk || sq == 0 || d == 0 || sk == 0 || dv == 0) return onednn::decline();
  // Result [batch..., Sq, Dv], stored through perm_y: stored axis i is result axis perm_y[i].
  Shape yl(ql.begin(), ql.end() - 2);
  yl.push_back(sq);
  yl.push_back(dv);
  k->y_shape = permute_dims(yl, layout->perm_y);
  const auto y_stored = logical_strides(k->y_shape, {});
  std::vector<int64_t> ys = y_stored;
  if (!layout->perm_y.empty()) {
    for (size_t i = 0; i < r; ++i) ys[static_cast<size_t>(layout->perm_y[i])] = y_stored[i];
  }
  // The mask right-aligned to the scores' rank; its dims of 1 broadcast (stride 0 along the batch).
  Shape ml(r, 1);
  if (k->has_mask) std::copy(k->mask_shape.begin(), k->mask_shape.end(), ml.end() - static_cast<std::ptrdiff_t>(k->mask_shape.size()));
  const auto ms = logical_strides(ml, {});
  for (size_t i = 0; i + 2 < r; ++i) {
    if (kl[i] != ql[i] || vl[i] != ql[i] || (ml[i] != 1 && ml[i] != ql[i])) return onednn::decline();  // no broadcast
    k->batch.push_back(ql[i]);
    k->q_bs.push_back(qs[i]);
    k->k_bs.push_back(ks[i]);
    k->v_bs.push_back(vs[i]);
    k->y_bs.push_back(ys[i]);
    k->m_bs.push_back(ml[i] == 1 ? 0 : ms[i]);
    k->items *= ql[i];
  }
  if ((ml[r - 2] != 1 && ml[r - 2] != sq) || (ml[r - 1] != 1 && ml[r - 1] != sk)) return onednn::decline();
  // The last batch dim (a virtual one of 1 without batch dims) is the primitives' batch dim.
  const bool batched = r > 2;
  const int64_t heads = batched ? k->batch.back() : 1;
  k->scores_bytes = static_cast<size_t>(sq * sk) * sizeof(float);
  k->chunk = pick_chunk(heads, k->items, static_cast<int64_t>(k->scores_bytes), std::max(1, pctx.threads));
  const int64_t c = k->chunk;
  auto bs = [&](const std::vector<int64_t>& v, int64_t dflt) { return batched ? v.back() : dflt; };
  const auto f32 = memory::data_type::f32;
  k->q_md = memory::desc({c, sq, d}, f32, {bs(k->q_bs, sq * d), qs[r - 2], qs[r - 1]});
  k->k_md = memory::desc({c, d, sk}, f32, {bs(k->k_bs, d * sk), ks[r - 2], ks[r - 1]});
  k->v_md = memory::desc({c, sk, dv}, f32, {bs(k->v_bs, sk * dv), vs[r - 2], vs[r - 1]});
  k->y_md = memory::desc({c, sq, dv}, f32, {bs(k->y_bs, sq * dv), ys[r - 2], ys[r - 1]});
  k->s_md = onednn::plain_f32({c, sq, sk});
  const int64_t mc = batched && k->m_bs.back() != 0 ? c : 1;
  k->m_md = memory::desc({mc, ml[r - 2], ml[r - 1]}, f32, {ml[r - 2] * ml[r - 1], ml[r - 1], 1});
  const memory::desc rows_md = onednn::plain_f32({c * sq, sk});  // softmax's view of the scores
  try {
    dnnl::primitive_attr sattr = onednn::base_attr();
    if (layout->alpha != 1.f) sattr.set_output_scales(0, {layout->alpha});
    if (k->has_mask) {
      dnnl::post_ops po;
      po.append_binary(dnnl::algorithm::binary_add, k->m_md);
      sattr.set_post_ops(po);
    }
    dnnl::matmul::primitive_desc spd(dnnl::matmul::desc(k->q_md, k->k_md, k->s_md), sattr, onednn::engine());
    dnnl::softmax_v2_forward::desc xd(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate, rows_md,
                                      rows_md, 1);
    dnnl::softmax_v2_forward::primitive_desc xpd(xd, onednn::base_attr(), onednn::engine());
    dnnl::matmul::primitive_desc cpd(dnnl::matmul::desc(k->s_md, k->v_md, k->y_md), onednn::base_attr(), onednn::engine());
    if (ref_impl(spd) || ref_impl(cpd)) return onednn::decline();
    k->scores_prim = dnnl::matmul(spd);
    k->softmax_prim = dnnl::softmax_v2_forward(xpd);
    k->context_prim = dnnl::matmul(cpd);
    // One scratchpad region per thread serves the three primitives in turn.
    k->scratch_bytes = std::max({spd.scratchpad_desc().get_size(), xpd.scratchpad_desc().get_size(),
                                 cpd.scratchpad_desc().get_size(), size_t{1}});
    k->scratch_md = memory::desc({static_cast<int64_t>(k->scratch_bytes)}, memory::data_type::u8, memory::format_tag::a);
  } catch (const dnnl::error&) {
    return onednn::decline();
  }
  k->scores_bytes *= static_cast<size_t>(c);
  k->x_md = rows_md;
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace kiln::cpu
