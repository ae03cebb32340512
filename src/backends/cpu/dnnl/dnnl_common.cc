#include "backends/cpu/dnnl/dnnl_common.h"

#include <algorithm>
#include <atomic>

#include "core/parallel.h"

namespace kiln::cpu::onednn {

using tag = dnnl::memory::format_tag;
using algo = dnnl::algorithm;

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

tag plain_tag(size_t rank) {
  switch (rank) {
    case 1: return tag::a;
    case 2: return tag::ab;
    case 3: return tag::abc;
    case 4: return tag::abcd;
    case 5: return tag::abcde;
    case 6: return tag::abcdef;
    default: return tag::undef;
  }
}

tag channels_last_tag(size_t rank) {
  switch (rank) {
    case 3: return tag::nwc;
    case 4: return tag::nhwc;
    case 5: return tag::ndhwc;
    default: return tag::undef;
  }
}

dnnl::primitive_attr base_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

namespace {

bool append_kind(dnnl::post_ops& ops, const Activation& act) {
  switch (act.kind) {
    case ActKind::kNone: return true;
    case ActKind::kRelu: ops.append_eltwise(1.f, algo::eltwise_relu, 0.f, 0.f); return true;
    // oneDNN relu with alpha is exactly LeakyRelu: x > 0 ? x : alpha * x.
    case ActKind::kLeakyRelu: ops.append_eltwise(1.f, algo::eltwise_relu, act.alpha, 0.f); return true;
    case ActKind::kClip: ops.append_eltwise(1.f, algo::eltwise_clip_v2, act.alpha, act.beta); return true;
    case ActKind::kSigmoid: ops.append_eltwise(1.f, algo::eltwise_logistic, 0.f, 0.f); return true;
    case ActKind::kTanh: ops.append_eltwise(1.f, algo::eltwise_tanh, 0.f, 0.f); return true;
    // oneDNN 2.6 has no hardsigmoid: alpha * x + beta, then clip to [0, 1].
    case ActKind::kHardSigmoid:
      ops.append_eltwise(1.f, algo::eltwise_linear, act.alpha, act.beta);
      ops.append_eltwise(1.f, algo::eltwise_clip_v2, 0.f, 1.f);
      return true;
    // oneDNN 2.6 hardswish is x * relu6(x + 3) / 6, the ONNX definition.
    case ActKind::kHardSwish: ops.append_eltwise(1.f, algo::eltwise_hardswish, 0.f, 0.f); return true;
    case ActKind::kSilu: ops.append_eltwise(1.f, algo::eltwise_swish, 1.f, 0.f); return true;
    case ActKind::kGelu: ops.append_eltwise(1.f, algo::eltwise_gelu_erf, 0.f, 0.f); return true;
    case ActKind::kGeluTanh: ops.append_eltwise(1.f, algo::eltwise_gelu_tanh, 0.f, 0.f); return true;
  }
  return false;
}

}  // namespace

bool append_activation(dnnl::post_ops& ops, const Activation& act) {
  if (act.kind == ActKind::kHardSigmoid && act.has_affine()) {
    // scale * clip(alpha * x + beta, 0, 1) + shift as one linear map and one clip: an affine map
    // carries the clip interval [0, 1] to [shift, scale + shift] (ends swapped when scale < 0).
    // Two eltwise_linear post-ops in one chain are miscomputed by oneDNN 2.6's jit kernels
    // (jit_1x1:avx2 gave 0.7 for 1.75: the second linear ran with the first one's alpha/beta).
    const float lo = std::min(act.shift, act.scale + act.shift), hi = std::max(act.shift, act.scale + act.shift);
    ops.append_eltwise(1.f, algo::eltwise_linear, act.scale * act.alpha, act.scale * act.beta + act.shift);
    ops.append_eltwise(1.f, algo::eltwise_clip_v2, lo, hi);
    return true;
  }
  if (!append_kind(ops, act)) return false;
  // activation_affine: scale * y + shift.
  if (act.has_affine()) ops.append_eltwise(1.f, algo::eltwise_linear, act.scale, act.shift);
  return true;
}

void apply_activation(float* y, int64_t n, const Activation& act) {
  if (act.kind == ActKind::kNone) return;
  parallel_for(
      n,
      [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) y[i] = static_cast<float>(act.apply(y[i]));
      },
      4096);
}

void add_inplace(float* y, const float* z, int64_t n) {
  parallel_for(
      n,
      [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) y[i] += z[i];
      },
      16384);
}

Status execute(KernelContext& ctx, const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd,
               std::unordered_map<int, dnnl::memory> args) {
  const size_t bytes = pd.scratchpad_desc().get_size();
  if (bytes > 0) args.insert({DNNL_ARG_SCRATCHPAD, wrap(pd.scratchpad_desc(), nullptr)});
  return execute_args(ctx, prim, args, bytes);
}

CallArgs::CallArgs() {
  static std::atomic<uint64_t> next{1};
  id_ = next.fetch_add(1, std::memory_order_relaxed);
}

std::unordered_map<uint64_t, ArgMap>& CallArgs::thread_sets() {
  thread_local std::unordered_map<uint64_t, ArgMap> sets;
  return sets;
}

Status execute_args(KernelContext& ctx, const dnnl::primitive& prim, ArgMap& args, size_t scratch_bytes) {
  try {
    if (scratch_bytes > 0) point(args, DNNL_ARG_SCRATCHPAD, ctx.scratch(scratch_bytes));
    prim.execute(stream(), args);
    stream().wait();
  } catch (const dnnl::error& e) {
    return ctx.error("oneDNN execution failed: {} (status {})", e.what(), static_cast<int>(e.status));
  }
  return Status::ok();
}

}  // namespace kiln::cpu::onednn
