// Shared oneDNN plumbing for the dnnl_conv and dnnl_matmul families: the process-wide CPU engine,
// dims/format helpers, Activation -> post-op mapping, and primitive execution with a
// user-managed scratchpad taken from KernelContext::scratch (no allocation on the hot path).
//
//   dnnl::primitive_attr attr = onednn::base_attr();      // scratchpad_mode::user
//   dnnl::post_ops ops;
//   if (!onednn::append_activation(ops, act)) ...          // no oneDNN form: apply it ourselves
//   ...
//   KILN_TRY(onednn::execute(ctx, prim, pd, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}));
//
// oneDNN is only ever included from this folder.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "backends/kernel.h"
#include "core/status.h"
#include "ops/kiln/activation.h"

namespace kiln::cpu::onednn {

// The one CPU engine of the process (created on first use, thread-safe).
const dnnl::engine& engine();

inline dnnl::memory::dims to_dims(const std::vector<int64_t>& v) { return dnnl::memory::dims(v.begin(), v.end()); }

// Plain row-major tag for a rank (a, ab, abc, ...); format_tag::undef above rank 6.
dnnl::memory::format_tag plain_tag(size_t rank);
// Channels-last tag for data of rank 3..5 given in logical [N, C, spatial...] order: nwc, nhwc,
// ndhwc (the tensor is stored [N, spatial..., C]).
dnnl::memory::format_tag channels_last_tag(size_t rank);

// A memory descriptor for fp32 data with logical dims `dims` and the given tag.
inline dnnl::memory::desc f32_desc(const std::vector<int64_t>& dims, dnnl::memory::format_tag tag) {
  return dnnl::memory::desc(to_dims(dims), dnnl::memory::data_type::f32, tag);
}

// Attributes every primitive here starts from: scratchpad_mode::user, so execute() hands the
// primitive memory from ctx.scratch() instead of oneDNN allocating per call.
dnnl::primitive_attr base_attr();

// Appends `act` as eltwise post-op(s). False when oneDNN 2.6 has no exact form (caller applies
// it itself with apply_activation). kNone appends nothing and returns true.
bool append_activation(dnnl::post_ops& ops, const Activation& act);

// y[i] = act(y[i]) in place (fallback when the post-op could not be fused), parallel.
void apply_activation(float* y, int64_t n, const Activation& act);
// y[i] += z[i], parallel (fallback for the sum post-op).
void add_inplace(float* y, const float* z, int64_t n);

// Runs `prim` on this thread's stream with `args` plus a scratchpad of
// pd.scratchpad_desc() bytes from ctx.scratch(). oneDNN exceptions become a Status naming the node.
Status execute(KernelContext& ctx, const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd,
               std::unordered_map<int, dnnl::memory> args);

// Wraps a caller-owned buffer (no copy) as oneDNN memory.
inline dnnl::memory wrap(const dnnl::memory::desc& md, const void* data) {
  return dnnl::memory(md, engine(), const_cast<void*>(data));
}

// A prepare function's "not mine" answer: the next candidate (finally the reference kernel) runs it.
inline Expected<std::unique_ptr<OpKernel>> decline() { return std::unique_ptr<OpKernel>(); }

// A stream per calling thread, for kernels that keep their arguments between calls: run() may be
// entered from several threads at once and a CPU stream is cheap, so no thread shares one.
inline dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

// The argument memories of one prepared primitive, kept per calling thread. Building a
// dnnl::memory costs ~0.5 us and a convolution call needs four (plus a stream and a map): ~2 us
// of a late MobileNetV2 1x1 convolution's ~5 us wall time on one thread. A thread builds its set
// once (make) and afterwards only re-points the memories whose data moves (point), ~15 ns each.
//
//   onednn::CallArgs args;                       // in the per-shape entry, next to the primitive
//   auto& a = entry.args.get([&] { return ArgMap{{DNNL_ARG_SRC, wrap(src_md, nullptr)}, ...}; });
//   point(a, DNNL_ARG_SRC, x.raw());
//   prim.execute(stream(), a);
//
// Sets are keyed by a process-unique id (never reused, so a destroyed entry's set cannot be
// mistaken for a new one's) and a thread drops all of its sets once it holds kMaxSets. Sets hold
// constant data through borrow(), never owning it.
using ArgMap = std::unordered_map<int, dnnl::memory>;

class CallArgs {
 public:
  static constexpr size_t kMaxSets = 4096;
  CallArgs();
  CallArgs(const CallArgs&) = delete;  // a copy would share the id with different descriptors
  CallArgs& operator=(const CallArgs&) = delete;

  // This thread's set; `make()` builds it on the thread's first call. The reference is valid
  // until this thread's next get() on any CallArgs.
  template <class Make>
  ArgMap& get(Make&& make) const {
    std::unordered_map<uint64_t, ArgMap>& sets = thread_sets();
    if (auto it = sets.find(id_); it != sets.end()) return it->second;
    if (sets.size() >= kMaxSets) sets.clear();
    return sets.emplace(id_, make()).first->second;
  }

 private:
  static std::unordered_map<uint64_t, ArgMap>& thread_sets();
  uint64_t id_;
};

// A memory that views `owner`'s buffer without owning it: what a CallArgs set holds for constant
// data (packed weights), so that sets left behind by a freed session keep no buffer alive.
inline dnnl::memory borrow(const dnnl::memory& owner) { return wrap(owner.get_desc(), owner.get_data_handle()); }

// Re-points argument `arg` of a set at `data`.
inline void point(ArgMap& args, int arg, const void* data) { args.at(arg).set_data_handle(const_cast<void*>(data)); }

// Runs `prim` with a CallArgs set on this thread's stream; the scratchpad (when the set has one)
// is pointed at `scratch_bytes` of ctx.scratch() first. oneDNN exceptions become a Status naming
// the node.
Status execute_args(KernelContext& ctx, const dnnl::primitive& prim, ArgMap& args, size_t scratch_bytes);

// Plain row-major descriptor of fp32 dims.
inline dnnl::memory::desc plain_f32(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

}  // namespace kiln::cpu::onednn
