// TEMPORARY (dnnl-matmul branch only): the few oneDNN helpers the matmul/softmax/norm kernels
// need until the shared dnnl_common.h (owned by the dnnl-conv helper) is merged; at merge time
// these calls switch to that file and this header is deleted. Keep it small.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "backends/kernel.h"
#include "ops/kiln/activation.h"

namespace kiln::cpu::dnnl_tmp {

// A prepare function's "not mine" answer (the next candidate runs the node).
inline std::unique_ptr<OpKernel> decline() { return nullptr; }

// The one CPU engine of the process.
inline dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// A stream per calling thread: run() may be entered from several threads at once and a CPU
// stream is cheap, so no thread ever shares one.
inline dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

// Attributes every primitive here is created with: user scratchpad, so the hot path uses
// ctx.scratch() instead of letting oneDNN allocate per call.
inline dnnl::primitive_attr base_attr() {
  dnnl::primitive_attr a;
  a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return a;
}

// Appends `act` as eltwise post-ops. Returns false for an activation 2.6 cannot express.
// HardSigmoid has no 2.6 algorithm: linear (alpha * x + beta) then clip to [0, 1].
inline bool append_activation(dnnl::post_ops& po, const Activation& act) {
  using A = dnnl::algorithm;
  switch (act.kind) {
    case ActKind::kNone: return true;
    case ActKind::kRelu: po.append_eltwise(1.f, A::eltwise_relu, 0.f, 0.f); return true;
    case ActKind::kLeakyRelu: po.append_eltwise(1.f, A::eltwise_relu, act.alpha, 0.f); return true;
    case ActKind::kClip:
      if (!(act.alpha <= act.beta)) return false;  // min > max or NaN: keep the reference's rule
      po.append_eltwise(1.f, A::eltwise_clip, act.alpha, act.beta);
      return true;
    case ActKind::kSigmoid: po.append_eltwise(1.f, A::eltwise_logistic, 0.f, 0.f); return true;
    case ActKind::kTanh: po.append_eltwise(1.f, A::eltwise_tanh, 0.f, 0.f); return true;
    case ActKind::kHardSigmoid:
      po.append_eltwise(1.f, A::eltwise_linear, act.alpha, act.beta);
      po.append_eltwise(1.f, A::eltwise_clip, 0.f, 1.f);
      return true;
    case ActKind::kHardSwish: po.append_eltwise(1.f, A::eltwise_hardswish, 0.f, 0.f); return true;
    case ActKind::kSilu: po.append_eltwise(1.f, A::eltwise_swish, 1.f, 0.f); return true;
    case ActKind::kGelu: po.append_eltwise(1.f, A::eltwise_gelu_erf, 0.f, 0.f); return true;
    case ActKind::kGeluTanh: po.append_eltwise(1.f, A::eltwise_gelu_tanh, 0.f, 0.f); return true;
  }
  return false;
}

// Plain row-major descriptor of fp32 dims.
inline dnnl::memory::desc plain_f32(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

// Executes `prim` on this thread's stream with the scratchpad taken from ctx.scratch().
inline void execute(KernelContext& ctx, const dnnl::primitive& prim, size_t scratch_bytes,
                    const dnnl::memory::desc& scratch_md, std::unordered_map<int, dnnl::memory>& args) {
  if (scratch_bytes > 0) args.insert({DNNL_ARG_SCRATCHPAD, dnnl::memory(scratch_md, engine(), ctx.scratch(scratch_bytes))});
  prim.execute(stream(), args);
  stream().wait();
}

}  // namespace kiln::cpu::dnnl_tmp
