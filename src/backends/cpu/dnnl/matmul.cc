// MatMul, Gemm and kiln.FusedMatMul (fp32) on the oneDNN matmul primitive.
//
// One kernel class serves the three ops: A x B with numpy batch broadcasting (MatMul/FusedMatMul)
// or optional transposes (Gemm), then an epilogue: a row-vector bias as matmul bias, any other
// broadcastable addend (Gemm's beta*C, FusedMatMul's bias) pre-written into the output and added
// by a sum post-op, an activation as eltwise post-ops. A constant B is reordered into the layout
// oneDNN picks (format_tag::any, i.e. packed) once per layout; primitives are cached per shape.
// Shapes oneDNN cannot or need not handle (empty output, K = 0, > 12 dims) run the reference
// kernel, which is also the oracle the tests compare against. On AVX2 machines a constant 2-D B
// with at most kPackedGemmMaxRows rows of A goes to our packed GEMM instead
// (packed_gemm/packed_gemm.h says why); B is packed for it on first use.
// A FusedMatMul with perm_a / perm_b / perm_y or alpha (ops/kiln/matmul_layout.h) reads its
// operands and writes its result through strided memory descriptors, scales by an output scale,
// and adds its addend with a broadcasting binary post-op (oneDNN adds a matmul bias before the
// output scale, the op adds it after).
#include <omp.h>

#include <map>
#include <mutex>
#include <unordered_map>

#include "backends/cpu/dnnl/batched_gemm.h"
#include "backends/cpu/dnnl/dnnl_common.h"
#include "backends/cpu/dnnl/matmul_kernels.h"
#include "backends/cpu/packed_gemm/packed_gemm.h"
#include "backends/reference/kiln/kiln_kernels.h"
#include "backends/reference/nn/nn_kernels.h"
#include "backends/reference/util.h"
#include "ops/kiln/matmul_layout.h"

namespace kiln::cpu {

namespace {

using dnnl::memory;
using onednn::gemm_padded_ldb;

enum class Op { kMatMul, kGemm, kFused };
// How the addend (Gemm C / FusedMatMul bias) enters: none, matmul bias [1.., N], pre-written
// into the output and added by a sum post-op, or read by a binary add post-op (broadcast).
enum class AddMode : int64_t { kNone, kBias, kSum, kBinary };

struct Geometry {
  memory::dims src, wei, dst;
  memory::dims src_strides, wei_strides, dst_strides;  // dst_strides empty: row-major
  Shape out;           // ONNX output shape
  Shape prod;          // the product's shape, which the addend broadcasts to (out unless perm_y)
  int64_t N = 0, K = 0;
  bool degenerate = false;  // leave to the reference kernel
};

memory::dims row_major(const memory::dims& d) {
  memory::dims s(d.size(), 1);
  for (size_t i = d.size(); i-- > 1;) s[i - 1] = s[i] * d[i];
  return s;
}

// Numpy matmul geometry. B with no batch extent (all batch dims 1) folds A's batch into M, the
// common case of activations x weights.
Expected<Geometry> matmul_geometry(const Shape& a_shape, const Shape& b_shape) {
  if (a_shape.empty() || b_shape.empty()) return invalid_argument("operands must have rank >= 1");
  Shape as = a_shape, bs = b_shape;
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  Geometry g;
  const int64_t M = as[as.size() - 2];
  g.K = as.back();
  g.N = bs.back();
  if (bs[bs.size() - 2] != g.K) {
    return invalid_argument("inner dimensions differ: A {} and B {}", shape_str(a_shape), shape_str(b_shape));
  }
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const size_t r = std::max(ab.size(), bb.size());
  ab.insert(ab.begin(), r - ab.size(), 1);
  bb.insert(bb.begin(), r - bb.size(), 1);
  Shape batch(r);
  for (size_t i = 0; i < r; ++i) {
    if (ab[i] != bb[i] && ab[i] != 1 && bb[i] != 1) {
      return invalid_argument("batch dims of A {} and B {} cannot be broadcast", shape_str(a_shape), shape_str(b_shape));
    }
    batch[i] = ab[i] == 1 ? bb[i] : ab[i];
  }
  g.out = batch;
  if (!a_vec) g.out.push_back(M);
  if (!b_vec) g.out.push_back(g.N);
  g.prod = g.out;
  if (shape_numel(g.out) == 0 || g.K == 0 || r + 2 > DNNL_MAX_NDIMS) {
    g.degenerate = true;
    return g;
  }
  if (shape_numel(bb) == 1) {
    const int64_t rows = shape_numel(ab) * M;
    g.src = {rows, g.K};
    g.wei = {g.K, g.N};
    g.dst = {rows, g.N};
  } else {
    g.src = ab;
    g.src.push_back(M);
    g.src.push_back(g.K);
    g.wei = bb;
    g.wei.push_back(g.K);
    g.wei.push_back(g.N);
    g.dst = batch;
    g.dst.push_back(M);
    g.dst.push_back(g.N);
  }
  g.src_strides = row_major(g.src);
  g.wei_strides = row_major(g.wei);
  return g;
}

Expected<Geometry> gemm_geometry(const Shape& a, const Shape& b, bool ta, bool tb) {
  if (a.size() != 2 || b.size() != 2) return invalid_argument("A {} and B {} must be 2-D", shape_str(a), shape_str(b));
  Geometry g;
  const int64_t M = ta ? a[1] : a[0];
  g.K = ta ? a[0] : a[1];
  g.N = tb ? b[0] : b[1];
  if ((tb ? b[1] : b[0]) != g.K) return invalid_argument("inner dimensions differ: A {} and B {}", shape_str(a), shape_str(b));
  g.out = {M, g.N};
  g.prod = g.out;
  if (M == 0 || g.N == 0 || g.K == 0) {
    g.degenerate = true;
    return g;
  }
  g.src = {M, g.K};
  g.wei = {g.K, g.N};
  g.dst = {M, g.N};
  g.src_strides = ta ? memory::dims{1, M} : memory::dims{g.K, 1};
  g.wei_strides = tb ? memory::dims{1, g.K} : memory::dims{g.N, 1};
  return g;
}

memory::dims strides_through_dims(const Shape& stored, const std::vector<int64_t>& perm) {
  const std::vector<int64_t> st = strides_through(stored, perm);
  return memory::dims(st.begin(), st.end());
}

// kiln.FusedMatMul with transposed operands / result: every operand keeps its own batch dims
// (no folding into M), the lower-rank one padded with leading 1s; oneDNN broadcasts batch dims of 1.
Expected<Geometry> layout_geometry(const Shape& a_stored, const Shape& b_stored, const MatMulLayout& l) {
  if (a_stored.size() < 2 || b_stored.size() < 2) {
    Geometry g;
    g.degenerate = true;  // 1-D operands: the reference kernel
    return g;
  }
  KILN_TRY(MatMulLayout::check_perm(l.perm_a, a_stored.size(), "perm_a"));
  KILN_TRY(MatMulLayout::check_perm(l.perm_b, b_stored.size(), "perm_b"));
  Shape as = permute_dims(a_stored, l.perm_a), bs = permute_dims(b_stored, l.perm_b);
  memory::dims sa = strides_through_dims(a_stored, l.perm_a), sb = strides_through_dims(b_stored, l.perm_b);
  const size_t r = std::max(as.size(), bs.size());
  auto pad = [r](Shape& d, memory::dims& st) {
    const int64_t outer = d.empty() ? 1 : d[0] * st[0];
    while (d.size() < r) {
      d.insert(d.begin(), 1);
      st.insert(st.begin(), outer);
    }
  };
  pad(as, sa);
  pad(bs, sb);
  Geometry g;
  g.K = as.back();
  g.N = bs.back();
  const int64_t M = as[r - 2];
  if (bs[r - 2] != g.K) {
    return invalid_argument("inner dimensions differ: A {} and B {}", shape_str(as), shape_str(bs));
  }
  Shape prod(r);
  for (size_t i = 0; i + 2 < r; ++i) {
    if (as[i] != bs[i] && as[i] != 1 && bs[i] != 1) {
      return invalid_argument("batch dims of A {} and B {} cannot be broadcast", shape_str(as), shape_str(bs));
    }
    prod[i] = as[i] == 1 ? bs[i] : as[i];
  }
  prod[r - 2] = M;
  prod[r - 1] = g.N;
  KILN_TRY(MatMulLayout::check_perm(l.perm_y, r, "perm_y"));
  g.out = permute_dims(prod, l.perm_y);
  g.prod = prod;
  if (shape_numel(g.out) == 0 || g.K == 0 || r > DNNL_MAX_NDIMS) {
    g.degenerate = true;
    return g;
  }
  g.src = memory::dims(as.begin(), as.end());
  g.wei = memory::dims(bs.begin(), bs.end());
  g.dst = memory::dims(prod.begin(), prod.end());
  g.src_strides = sa;
  g.wei_strides = sb;
  const std::vector<int64_t> ys = strides_behind(g.out, l.perm_y);
  g.dst_strides = memory::dims(ys.begin(), ys.end());
  return g;
}

// True when `addend` is a row vector over the output's last dim: [N] or [1, ..., 1, N].
bool is_row_vector(const Shape& addend, const Shape& out, int64_t N) {
  if (addend.empty() || addend.size() > out.size() || out.empty() || out.back() != N || addend.back() != N) return false;
  for (size_t i = 0; i + 1 < addend.size(); ++i) {
    if (addend[i] != 1) return false;
  }
  return true;
}

// Unidirectional broadcast of `addend` to `out` (the output shape must not grow).
bool broadcasts_to(const Shape& addend, const Shape& out) {
  if (addend.size() > out.size()) return false;
  for (size_t i = 0; i < addend.size(); ++i) {
    const int64_t d = addend[i], o = out[out.size() - addend.size() + i];
    if (d != o && d != 1) return false;
  }
  return true;
}

class MatMulKernel : public OpKernel {
 public:
  Op op = Op::kMatMul;
  bool trans_a = false, trans_b = false;
  float alpha = 1, beta = 1;
  MatMulLayout layout;  // FusedMatMul's perms and scale; plain for MatMul / Gemm
  Activation act;
  Tensor const_b;     // constant B (Gemm: already multiplied by alpha), original layout
  Tensor const_bias;  // Gemm with constant row-vector C and beta != 1: beta * C as [N]
  bool packed_allowed = false;  // packed_gemm_preferred() when the kernel was prepared
  KernelFn fallback = nullptr;

  // The packed GEMM takes this geometry: a constant B that is one [K, N] matrix (MatMul's batch
  // dims all 1) of at least one panel, and few row-major rows of A.
  bool packed_fits(const Geometry& g) const {
    return packed_allowed && const_b.valid() && !scaled() && layout.plain() && g.wei.size() == 2 && g.src.size() == 2 &&
           g.src_strides[1] == 1 && g.src_strides[0] == g.K && g.src[0] <= kPackedGemmMaxRows &&
           g.N >= kPackedGemmNr;
  }

  // B packed for packed_gemm, made on first use (at prepare when the shapes are static), so that
  // models whose MatMuls have many rows keep one copy of their weights.
  const PackedGemmB& packed_b(const Geometry& g) const {
    std::call_once(packed_once_, [&] {
      const bool t = op == Op::kGemm && trans_b;
      packed_b_ = PackedGemmB::pack(const_b.data<float>(), g.K, g.N, t ? 1 : g.N, t ? g.K : 1);
    });
    return packed_b_;
  }

  Expected<Geometry> geometry(const Shape& a, const Shape& b) const {
    if (op == Op::kGemm) return gemm_geometry(a, b, trans_a, trans_b);
    return layout.plain() ? matmul_geometry(a, b) : layout_geometry(a, b, layout);
  }

  // Output scale: Gemm's alpha when it could not be folded into a constant B, FusedMatMul's alpha.
  float out_scale() const { return op == Op::kGemm ? (const_b.valid() ? 1.f : alpha) : layout.alpha; }
  bool scaled() const { return out_scale() != 1.f; }

  AddMode add_mode(const Shape* addend, const Geometry& g) const {
    if (!addend) return AddMode::kNone;
    // oneDNN adds a matmul bias before the output scale, and the sum post-op's pre-written addend
    // would need perm_y: with either, the addend is a binary post-op (after the scale, in the
    // product's coordinates). Transposed operands alone keep the cheaper forms.
    if (layout.alpha != 1.f || !layout.perm_y.empty()) return AddMode::kBinary;
    if (op == Op::kGemm) {
      if (const_bias.valid()) return AddMode::kBias;
      const bool plain = beta == 1.f && !scaled();
      return plain && is_row_vector(*addend, g.out, g.N) ? AddMode::kBias : AddMode::kSum;
    }
    return is_row_vector(*addend, g.out, g.N) ? AddMode::kBias : AddMode::kSum;
  }

  struct Packed {
    memory::desc md;
    memory mem;
  };
  struct Entry {
    dnnl::matmul prim;
    memory::desc src_md, wei_md, dst_md, bias_md, scratch_md;
    size_t scratch = 0;
    const Packed* wei = nullptr;  // constant B in the primitive's layout
    onednn::CallArgs args;
  };

  // The cached primitive for this geometry and addend mode, created on first use; nullptr when
  // oneDNN cannot make one (the caller then runs the reference kernel).
  const Entry* entry(const Geometry& g, AddMode mode, const Shape* addend) const {
    std::vector<int64_t> key = {static_cast<int64_t>(mode)};
    key.insert(key.end(), g.src.begin(), g.src.end());
    key.push_back(-1);
    key.insert(key.end(), g.wei.begin(), g.wei.end());
    if (mode == AddMode::kBinary) {
      key.push_back(-2);
      key.insert(key.end(), addend->begin(), addend->end());
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second.get();
    std::unique_ptr<Entry> e;
    try {
      e = create(g, mode, addend);
    } catch (const dnnl::error&) {
      e = nullptr;
    }
    const Entry* p = e.get();
    cache_[key] = std::move(e);
    return p;
  }

  Status run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = const_b.valid() ? const_b : ctx.input(1);
    if (a.dtype() != DType::kFloat32 || b.dtype() != DType::kFloat32) return fallback(ctx);
    auto g = geometry(a.shape(), b.shape());
    if (!g) return ctx.error("{}", g.status().message());
    const Tensor* addend = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (g->degenerate || (addend && (addend->dtype() != DType::kFloat32 || !broadcasts_to(addend->shape(), g->prod)))) {
      return fallback(ctx);
    }
    const AddMode mode = add_mode(addend ? &addend->shape() : nullptr, *g);
    if (packed_fits(*g)) return run_packed(ctx, a, *g, addend, mode);
    const Entry* e = entry(*g, mode, addend ? &addend->shape() : nullptr);
    if (!e) return fallback(ctx);

    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, g->out);
    if (mode == AddMode::kSum) write_addend(*addend, y, op == Op::kGemm ? beta : 1.f);
    onednn::ArgMap& args = e->args.get([&] {
      onednn::ArgMap m = {{DNNL_ARG_SRC, onednn::wrap(e->src_md, nullptr)},
                          {DNNL_ARG_WEIGHTS, e->wei ? onednn::borrow(e->wei->mem) : onednn::wrap(e->wei_md, nullptr)},
                          {DNNL_ARG_DST, onednn::wrap(e->dst_md, nullptr)}};
      if (mode == AddMode::kBias) m.insert({DNNL_ARG_BIAS, onednn::wrap(e->bias_md, nullptr)});
      if (mode == AddMode::kBinary) m.insert({kBinaryArg, onednn::wrap(e->bias_md, nullptr)});
      if (e->scratch > 0) m.insert({DNNL_ARG_SCRATCHPAD, onednn::wrap(e->scratch_md, nullptr)});
      return m;
    });
    onednn::point(args, DNNL_ARG_SRC, a.raw());
    if (!e->wei) onednn::point(args, DNNL_ARG_WEIGHTS, b.raw());
    onednn::point(args, DNNL_ARG_DST, y.raw());
    if (mode == AddMode::kBias) {
      onednn::point(args, DNNL_ARG_BIAS, const_bias.valid() ? const_bias.raw() : addend->raw());
    }
    if (mode == AddMode::kBinary) onednn::point(args, kBinaryArg, addend->raw());
    return onednn::execute_args(ctx, e->prim, args, e->scratch);
  }

 private:
  Status run_packed(KernelContext& ctx, const Tensor& a, const Geometry& g, const Tensor* addend, AddMode mode) const {
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, g.out);
    PackedGemmEpilogue ep;
    ep.act = act;
    if (mode == AddMode::kSum) {
      write_addend(*addend, y, op == Op::kGemm ? beta : 1.f);
      ep.accumulate = true;
    } else if (mode == AddMode::kBias) {
      ep.bias = const_bias.valid() ? const_bias.data<float>() : addend->data<float>();
    }
    const int64_t rows = g.src[0];
    void* scratch = ctx.scratch(packed_gemm_scratch_bytes(rows, g.K, omp_get_max_threads()));
    packed_gemm(rows, a.data<float>(), g.K, packed_b(g), y.data<float>(), g.N, ep, scratch, cpu_isa());
    return Status::ok();
  }

  // The binary add post-op's operand (post-op 0).
  static constexpr int kBinaryArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;

  std::unique_ptr<Entry> create(const Geometry& g, AddMode mode, const Shape* addend) const {
    auto e = std::make_unique<Entry>();
    const auto f32 = memory::data_type::f32;
    e->src_md = memory::desc(g.src, f32, g.src_strides);
    // A constant B read through perm_b keeps its stored layout: packing it would need the perm.
    const bool any_b = const_b.valid() && layout.perm_b.empty();
    e->wei_md = any_b ? memory::desc(g.wei, f32, memory::format_tag::any) : memory::desc(g.wei, f32, g.wei_strides);
    e->dst_md = g.dst_strides.empty() ? onednn::plain_f32(g.dst) : memory::desc(g.dst, f32, g.dst_strides);
    dnnl::primitive_attr attr = onednn::base_attr();
    dnnl::post_ops po;
    if (mode == AddMode::kSum) po.append_sum(1.f);
    if (mode == AddMode::kBinary) {
      // oneDNN 2.6's gemm post-processing locates the binary operand as if dst were row-major
      // (a strided dst crashed in the tests): leave that combination to the reference kernel.
      if (g.dst_strides != row_major(g.dst)) return nullptr;
      // The addend right-aligned to the product's dims; its dims of 1 broadcast.
      memory::dims ad(g.dst.size(), 1);
      std::copy(addend->begin(), addend->end(), ad.end() - static_cast<std::ptrdiff_t>(addend->size()));
      e->bias_md = onednn::plain_f32(ad);
      po.append_binary(dnnl::algorithm::binary_add, e->bias_md);
    }
    if (!onednn::append_activation(po, act)) return nullptr;
    attr.set_post_ops(po);
    if (scaled()) attr.set_output_scales(0, {out_scale()});
    if (mode == AddMode::kBias) {
      memory::dims bd(g.dst.size(), 1);
      bd.back() = g.N;
      e->bias_md = onednn::plain_f32(bd);
    }
    auto make_pd = [&](const memory::desc& wei_md) {
      const dnnl::matmul::desc d = mode == AddMode::kBias ? dnnl::matmul::desc(e->src_md, wei_md, e->bias_md, e->dst_md)
                                                          : dnnl::matmul::desc(e->src_md, wei_md, e->dst_md);
      return dnnl::matmul::primitive_desc(d, attr, onednn::engine());
    };
    dnnl::matmul::primitive_desc pd = make_pd(e->wei_md);
    // AVX2's gemm:jit reads constant B as plain row-major [K, N]: pad its rows where that avoids
    // cache-set aliasing (gemm_padded_ldb; costs K*16 floats of weight memory).
    if (any_b && g.wei.size() == 2 && g.K > 1 && gemm_padded_ldb(g.N) != g.N &&
        pd.weights_desc() == memory::desc(g.wei, f32, memory::dims{g.N, 1})) {
      try {
        pd = make_pd(memory::desc(g.wei, f32, memory::dims{gemm_padded_ldb(g.N), 1}));
      } catch (const dnnl::error&) {
        // keep the unpadded primitive
      }
    }
    // Strides that no GEMM reads in place get oneDNN's reference matmul, no faster than ours.
    if (!layout.plain() && std::string_view(pd.impl_info_str()).starts_with("ref")) return nullptr;
    e->prim = dnnl::matmul(pd);
    e->scratch_md = pd.scratchpad_desc();
    e->scratch = e->scratch_md.get_size();
    e->wei_md = pd.weights_desc();
    if (const_b.valid()) e->wei = pack(g, e->wei_md);
    return e;
  }

  // Constant B reordered into `md` (the layout a primitive chose); one copy per distinct layout.
  const Packed* pack(const Geometry& g, const memory::desc& md) const {
    for (const auto& p : packed_) {
      if (p->md == md) return p.get();
    }
    auto p = std::make_unique<Packed>();
    p->md = md;
    const memory::desc given(g.wei, memory::data_type::f32, g.wei_strides);
    memory src(given, onednn::engine(), const_cast<float*>(const_b.data<float>()));
    if (md == given) {
      p->mem = src;  // the primitive reads B as stored (e.g. gemm:jit on AVX2): no copy
    } else {
      p->mem = memory(md, onednn::engine());
      dnnl::reorder(src, p->mem).execute(onednn::stream(), src, p->mem);
      onednn::stream().wait();
    }
    packed_.push_back(std::move(p));
    return packed_.back().get();
  }

  // y = scale * addend broadcast to y's shape (the sum post-op then adds the product).
  static void write_addend(const Tensor& addend, Tensor& y, float scale) {
    const float* src = addend.data<float>();
    float* dst = y.data<float>();
    const int64_t n = y.numel();
    if (addend.numel() == n) {
      for (int64_t i = 0; i < n; ++i) dst[i] = scale * src[i];
      return;
    }
    reference::BroadcastWalker w(y.shape(), {&addend.shape()});
    for (int64_t i = 0; i < n; ++i, w.next()) dst[i] = scale * src[w.offset(0)];
  }

  mutable std::once_flag packed_once_;
  mutable PackedGemmB packed_b_;
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, std::unique_ptr<Entry>> cache_;
  mutable std::vector<std::unique_ptr<Packed>> packed_;
};

bool is_f32(const ir::TypeInfo* t) { return t && t->is_tensor() && t->elem == DType::kFloat32; }

// Shared prepare: dtype checks, constant B, and a primitive for the static shapes when known
// (so the weights are packed here, not on the first run).
Expected<std::unique_ptr<OpKernel>> prepare_common(const PrepareContext& pctx, std::unique_ptr<MatMulKernel> k) {
  const ir::Node& node = pctx.node;
  if (node.num_inputs() < 2 || !is_f32(pctx.input_type(0)) || !is_f32(pctx.input_type(1))) return onednn::decline();
  if (node.has_input(2) && !is_f32(pctx.input_type(2))) return onednn::decline();
  if (node.num_outputs() != 1) return onednn::decline();
  if (const Tensor* b = pctx.constant(1)) {
    if (b->dtype() != DType::kFloat32) return onednn::decline();
    k->const_b = *b;
    if (k->op == Op::kGemm && k->alpha != 1.f) {
      k->const_b = b->clone();
      float* p = k->const_b.data<float>();
      for (int64_t i = 0; i < k->const_b.numel(); ++i) p[i] *= k->alpha;
    }
    k->packed_allowed = packed_gemm_preferred();
  }
  if (k->op == Op::kGemm && k->beta != 1.f && pctx.constant(2)) {
    const Tensor& c = *pctx.constant(2);
    const Shape& cs = c.shape();
    // [N] or [1, N]: beta * C becomes the matmul bias; N = B's output columns, checked at run.
    if ((cs.size() == 1 || (cs.size() == 2 && cs[0] == 1)) && c.dtype() == DType::kFloat32 && k->const_b.valid() &&
        k->const_b.rank() == 2) {
      const int64_t n = k->trans_b ? k->const_b.dim(0) : k->const_b.dim(1);
      if (cs.back() == n) {
        k->const_bias = Tensor(DType::kFloat32, {n});
        for (int64_t i = 0; i < n; ++i) k->const_bias.data<float>()[i] = k->beta * c.data<float>()[i];
      }
    }
  }
  const ir::TypeInfo* ta = pctx.input_type(0);
  const ir::TypeInfo* tb = pctx.input_type(1);
  if (ta->fully_known() && tb->fully_known()) {
    auto g = k->geometry(ta->concrete(), tb->concrete());
    if (!g) return onednn::decline();  // the reference kernel reports the bad shapes at run time
    if (!g->degenerate) {
      const ir::TypeInfo* tc = pctx.input_type(2);
      AddMode mode = AddMode::kNone;
      Shape cs_kept;
      if (tc) {
        if (!tc->fully_known()) return std::unique_ptr<OpKernel>(std::move(k));
        const Shape cs = tc->concrete();
        cs_kept = cs;
        if (!broadcasts_to(cs, g->prod)) return std::unique_ptr<OpKernel>(std::move(k));
        mode = k->add_mode(&cs, *g);
      }
      if (k->packed_fits(*g)) {  // packed now, and no oneDNN copy of B
        k->packed_b(*g);
        return std::unique_ptr<OpKernel>(std::move(k));
      }
      if (!k->entry(*g, mode, tc ? &cs_kept : nullptr)) return onednn::decline();  // oneDNN cannot: leave it to the reference
    }
  }
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_matmul(const PrepareContext& pctx) {
  auto k = std::make_unique<MatMulKernel>();
  k->op = Op::kMatMul;
  k->fallback = reference::matmul;
  return prepare_common(pctx, std::move(k));
}

Expected<std::unique_ptr<OpKernel>> prepare_gemm(const PrepareContext& pctx) {
  auto k = std::make_unique<MatMulKernel>();
  k->op = Op::kGemm;
  k->fallback = reference::gemm;
  k->trans_a = pctx.node.attr_int("transA", 0) != 0;
  k->trans_b = pctx.node.attr_int("transB", 0) != 0;
  k->alpha = pctx.node.attr_float("alpha", 1.f);
  k->beta = pctx.node.attr_float("beta", 1.f);
  return prepare_common(pctx, std::move(k));
}

Expected<std::unique_ptr<OpKernel>> prepare_fused_matmul(const PrepareContext& pctx) {
  KILN_ASSIGN_OR_RETURN(Activation act, Activation::from_node(pctx.node));
  dnnl::post_ops probe;
  if (!onednn::append_activation(probe, act)) return onednn::decline();
  auto k = std::make_unique<MatMulKernel>();
  k->op = Op::kFused;
  k->act = act;
  KILN_ASSIGN_OR_RETURN(k->layout, MatMulLayout::from_node(pctx.node));
  k->fallback = reference::fused_matmul;
  return prepare_common(pctx, std::move(k));
}

}  // namespace kiln::cpu
