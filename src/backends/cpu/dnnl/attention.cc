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
// when its input had been written by the same core. The primitives are made per input shapes
// (at prepare when the shapes are static, else on first use of a shape); shapes with broadcast
// batch dims, and layouts no GEMM reads in place, run the reference kernel.
#include <omp.h>

#include <atomic>
#include <map>
#include <mutex>
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

bool ref_impl(const dnnl::primitive_desc_base& pd) { return std::string_view(pd.impl_info_str()).starts_with("ref"); }

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

// Everything that depends on the input shapes: the three primitives and the walk over the items.
struct Plan {
  Shape q_shape, k_shape, v_shape, mask_shape;  // what it was made for (mask: empty when none)
  int threads = 0;
  Shape y_shape;
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
};

// The plan for these stored shapes (mask empty: none), or nullptr when this kernel cannot run them.
std::unique_ptr<Plan> make_plan(const AttentionLayout& l, const Shape& q_shape, const Shape& k_shape,
                                const Shape& v_shape, const Shape* mask_shape, int threads) {
  auto p = std::make_unique<Plan>();
  p->q_shape = q_shape;
  p->k_shape = k_shape;
  p->v_shape = v_shape;
  if (mask_shape) p->mask_shape = *mask_shape;
  p->threads = threads;
  p->has_mask = mask_shape != nullptr;
  const size_t r = q_shape.size();
  if (r < 2 || k_shape.size() != r || v_shape.size() != r || (mask_shape && mask_shape->size() > r)) return nullptr;
  for (auto [perm, shape] : {std::pair{&l.perm_q, &q_shape}, std::pair{&l.perm_k, &k_shape}, std::pair{&l.perm_v, &v_shape}}) {
    if (!MatMulLayout::check_perm(*perm, shape->size(), "perm").is_ok()) return nullptr;
  }
  if (!MatMulLayout::check_perm(l.perm_y, r, "perm_y").is_ok()) return nullptr;
  const Shape ql = permute_dims(q_shape, l.perm_q), kl = permute_dims(k_shape, l.perm_k), vl = permute_dims(v_shape, l.perm_v);
  const auto qs = strides_through(q_shape, l.perm_q), ks = strides_through(k_shape, l.perm_k),
             vs = strides_through(v_shape, l.perm_v);
  const int64_t sq = ql[r - 2], d = ql[r - 1], sk = kl[r - 1], dv = vl[r - 1];
  if (kl[r - 2] != d || vl[r - 2] != sk || sq == 0 || d == 0 || sk == 0 || dv == 0) return nullptr;
  // Result [batch..., Sq, Dv], stored through perm_y: stored axis i is result axis perm_y[i].
  Shape yl(ql.begin(), ql.end() - 2);
  yl.push_back(sq);
  yl.push_back(dv);
  p->y_shape = permute_dims(yl, l.perm_y);
  const std::vector<int64_t> ys = strides_behind(p->y_shape, l.perm_y);
  // The mask right-aligned to the scores' rank; its dims of 1 broadcast (stride 0 along the batch).
  Shape ml(r, 1);
  if (mask_shape) std::copy(mask_shape->begin(), mask_shape->end(), ml.end() - static_cast<std::ptrdiff_t>(mask_shape->size()));
  const auto ms = strides_through(ml, {});
  for (size_t i = 0; i + 2 < r; ++i) {
    if (kl[i] != ql[i] || vl[i] != ql[i] || (ml[i] != 1 && ml[i] != ql[i])) return nullptr;  // no broadcast
    p->batch.push_back(ql[i]);
    p->q_bs.push_back(qs[i]);
    p->k_bs.push_back(ks[i]);
    p->v_bs.push_back(vs[i]);
    p->y_bs.push_back(ys[i]);
    p->m_bs.push_back(ml[i] == 1 ? 0 : ms[i]);
    p->items *= ql[i];
  }
  if ((ml[r - 2] != 1 && ml[r - 2] != sq) || (ml[r - 1] != 1 && ml[r - 1] != sk) || p->items == 0) return nullptr;
  // The last batch dim (a virtual one of 1 without batch dims) is the primitives' batch dim.
  const bool batched = r > 2;
  const int64_t heads = batched ? p->batch.back() : 1;
  const auto head_bytes = static_cast<int64_t>(sq * sk * sizeof(float));
  p->chunk = pick_chunk(heads, p->items, head_bytes, std::max(1, threads));
  const int64_t c = p->chunk;
  p->scores_bytes = static_cast<size_t>(c * head_bytes);
  auto bs = [&](const std::vector<int64_t>& v, int64_t dflt) { return batched ? v.back() : dflt; };
  const auto f32 = memory::data_type::f32;
  p->q_md = memory::desc({c, sq, d}, f32, {bs(p->q_bs, sq * d), qs[r - 2], qs[r - 1]});
  p->k_md = memory::desc({c, d, sk}, f32, {bs(p->k_bs, d * sk), ks[r - 2], ks[r - 1]});
  p->v_md = memory::desc({c, sk, dv}, f32, {bs(p->v_bs, sk * dv), vs[r - 2], vs[r - 1]});
  p->y_md = memory::desc({c, sq, dv}, f32, {bs(p->y_bs, sq * dv), ys[r - 2], ys[r - 1]});
  p->s_md = onednn::plain_f32({c, sq, sk});
  p->x_md = onednn::plain_f32({c * sq, sk});  // softmax's view of the scores
  const int64_t mc = batched && p->m_bs.back() != 0 ? c : 1;
  p->m_md = memory::desc({mc, ml[r - 2], ml[r - 1]}, f32, {ml[r - 2] * ml[r - 1], ml[r - 1], 1});
  try {
    dnnl::primitive_attr sattr = onednn::base_attr();
    if (l.alpha != 1.f) sattr.set_output_scales(0, {l.alpha});
    if (p->has_mask) {
      dnnl::post_ops po;
      po.append_binary(dnnl::algorithm::binary_add, p->m_md);
      sattr.set_post_ops(po);
    }
    dnnl::matmul::primitive_desc spd(dnnl::matmul::desc(p->q_md, p->k_md, p->s_md), sattr, onednn::engine());
    dnnl::softmax_v2_forward::desc xd(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate, p->x_md,
                                      p->x_md, 1);
    dnnl::softmax_v2_forward::primitive_desc xpd(xd, onednn::base_attr(), onednn::engine());
    dnnl::matmul::primitive_desc cpd(dnnl::matmul::desc(p->s_md, p->v_md, p->y_md), onednn::base_attr(), onednn::engine());
    if (ref_impl(spd) || ref_impl(cpd)) return nullptr;
    p->scores_prim = dnnl::matmul(spd);
    p->softmax_prim = dnnl::softmax_v2_forward(xpd);
    p->context_prim = dnnl::matmul(cpd);
    // One scratchpad region per thread serves the three primitives in turn.
    p->scratch_bytes = std::max({spd.scratchpad_desc().get_size(), xpd.scratchpad_desc().get_size(),
                                 cpd.scratchpad_desc().get_size(), size_t{1}});
    p->scratch_md = memory::desc({static_cast<int64_t>(p->scratch_bytes)}, memory::data_type::u8, memory::format_tag::a);
  } catch (const dnnl::error&) {
    return nullptr;
  }
  return p;
}

class AttentionKernel : public OpKernel {
 public:
  AttentionLayout layout;

  static constexpr int kMaskArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;

  // The plan for these shapes, made on first use; nullptr when the reference kernel must run them.
  // The last plan used is checked first, without locking or allocating (the hot path).
  const Plan* plan(const Shape& q, const Shape& k, const Shape& v, const Shape* mask) const {
    const int threads = omp_get_max_threads();
    const Plan* last = last_.load(std::memory_order_acquire);
    if (last && last->threads == threads && last->q_shape == q && last->k_shape == k && last->v_shape == v &&
        last->has_mask == (mask != nullptr) && (!mask || last->mask_shape == *mask)) {
      return last;
    }
    std::vector<int64_t> key;
    for (const Shape* s : {&q, &k, &v, mask}) {
      if (s) key.insert(key.end(), s->begin(), s->end());
      key.push_back(-1);
    }
    key.push_back(threads);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = plans_.find(key);
    if (it == plans_.end()) it = plans_.emplace(key, make_plan(layout, q, k, v, mask, threads)).first;
    if (it->second) last_.store(it->second.get(), std::memory_order_release);
    return it->second.get();
  }

  Status run(KernelContext& ctx) const override {
    const Shape* mask_shape = ctx.has_input(3) ? &ctx.input(3).shape() : nullptr;
    const Plan* p = plan(ctx.input(0).shape(), ctx.input(1).shape(), ctx.input(2).shape(), mask_shape);
    if (!p) return reference::attention(ctx);
    const float* q = ctx.input(0).data<float>();
    const float* k = ctx.input(1).data<float>();
    const float* v = ctx.input(2).data<float>();
    const float* mask = p->has_mask ? ctx.input(3).data<float>() : nullptr;
    float* y = ctx.allocate_output_uninit(0, DType::kFloat32, p->y_shape).data<float>();
    const int64_t chunks = p->items / p->chunk;
    const int threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), chunks));
    const size_t per_thread = aligned(p->scores_bytes) + aligned(p->scratch_bytes);
    char* scratch = static_cast<char*>(ctx.scratch(per_thread * static_cast<size_t>(threads)));
    std::atomic<bool> failed{false};
    std::string error;
#pragma omp parallel num_threads(threads)
    {
      char* mine = scratch + per_thread * static_cast<size_t>(omp_get_thread_num());
      float* s = reinterpret_cast<float*>(mine);
      void* sp = mine + aligned(p->scores_bytes);
      try {
#pragma omp for schedule(static)
        for (int64_t ch = 0; ch < chunks; ++ch) {
          const int64_t item = ch * p->chunk;
          int64_t qo = 0, ko = 0, vo = 0, yo = 0, mo = 0;
          for (size_t d = p->batch.size(), rest = static_cast<size_t>(item); d-- > 0;) {
            const auto i = static_cast<int64_t>(rest % static_cast<size_t>(p->batch[d]));
            rest /= static_cast<size_t>(p->batch[d]);
            qo += i * p->q_bs[d];
            ko += i * p->k_bs[d];
            vo += i * p->v_bs[d];
            yo += i * p->y_bs[d];
            mo += i * p->m_bs[d];
          }
          onednn::ArgMap& sa = p->scores_args.get([&] {
            onednn::ArgMap m = {{DNNL_ARG_SRC, onednn::wrap(p->q_md, nullptr)},
                                {DNNL_ARG_WEIGHTS, onednn::wrap(p->k_md, nullptr)},
                                {DNNL_ARG_DST, onednn::wrap(p->s_md, nullptr)},
                                {DNNL_ARG_SCRATCHPAD, onednn::wrap(p->scratch_md, nullptr)}};
            if (p->has_mask) m.insert({kMaskArg, onednn::wrap(p->m_md, nullptr)});
            return m;
          });
          onednn::point(sa, DNNL_ARG_SRC, q + qo);
          onednn::point(sa, DNNL_ARG_WEIGHTS, k + ko);
          onednn::point(sa, DNNL_ARG_DST, s);
          onednn::point(sa, DNNL_ARG_SCRATCHPAD, sp);
          if (p->has_mask) onednn::point(sa, kMaskArg, mask + mo);
          p->scores_prim.execute(onednn::stream(), sa);

          onednn::ArgMap& xa = p->softmax_args.get([&] {
            return onednn::ArgMap{{DNNL_ARG_SRC, onednn::wrap(p->x_md, nullptr)},
                                  {DNNL_ARG_DST, onednn::wrap(p->x_md, nullptr)},
                                  {DNNL_ARG_SCRATCHPAD, onednn::wrap(p->scratch_md, nullptr)}};
          });
          onednn::point(xa, DNNL_ARG_SRC, s);
          onednn::point(xa, DNNL_ARG_DST, s);
          onednn::point(xa, DNNL_ARG_SCRATCHPAD, sp);
          p->softmax_prim.execute(onednn::stream(), xa);

          onednn::ArgMap& ca = p->context_args.get([&] {
            return onednn::ArgMap{{DNNL_ARG_SRC, onednn::wrap(p->s_md, nullptr)},
                                  {DNNL_ARG_WEIGHTS, onednn::wrap(p->v_md, nullptr)},
                                  {DNNL_ARG_DST, onednn::wrap(p->y_md, nullptr)},
                                  {DNNL_ARG_SCRATCHPAD, onednn::wrap(p->scratch_md, nullptr)}};
          });
          onednn::point(ca, DNNL_ARG_SRC, s);
          onednn::point(ca, DNNL_ARG_WEIGHTS, v + vo);
          onednn::point(ca, DNNL_ARG_DST, y + yo);
          onednn::point(ca, DNNL_ARG_SCRATCHPAD, sp);
          p->context_prim.execute(onednn::stream(), ca);
        }
        onednn::stream().wait();
      } catch (const dnnl::error& e) {
        if (!failed.exchange(true)) error = e.what();
      }
    }
    if (failed) return ctx.error("oneDNN execution failed: {}", error);
    return Status::ok();
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, std::unique_ptr<Plan>> plans_;
  mutable std::atomic<const Plan*> last_{nullptr};
};

bool is_f32(const ir::TypeInfo* t) { return t && t->is_tensor() && t->elem == DType::kFloat32; }

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_attention(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (node.num_inputs() < 3 || node.num_outputs() != 1) return onednn::decline();
  bool known = true;
  for (size_t i = 0; i < node.num_inputs(); ++i) {
    if (i >= 3 && !node.has_input(i)) continue;
    if (!is_f32(pctx.input_type(i))) return onednn::decline();
    known = known && pctx.input_type(i)->fully_known();
  }
  auto layout = AttentionLayout::from_node(node);
  if (!layout) return onednn::decline();  // the reference kernel reports it
  auto k = std::make_unique<AttentionKernel>();
  k->layout = *layout;
  if (known) {  // static shapes: the primitives now, and the reference kernel if there are none
    const Shape mask = node.has_input(3) ? pctx.input_type(3)->concrete() : Shape{};
    if (!k->plan(pctx.input_type(0)->concrete(), pctx.input_type(1)->concrete(), pctx.input_type(2)->concrete(),
                 node.has_input(3) ? &mask : nullptr)) {
      return onednn::decline();
    }
  }
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace kiln::cpu
