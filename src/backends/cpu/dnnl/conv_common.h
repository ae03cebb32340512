// Pieces shared by the oneDNN convolution-family kernels (conv, deconv, pools, LRN): the
// per-input-shape primitive cache and the reference-kernel fallback for shapes a primitive
// cannot take (found only at run time, when the shape is known).
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "backends/cpu/dnnl/dnnl_common.h"
#include "backends/kernel.h"
#include "backends/reference/backend.h"
#include "ops/kiln/kiln_ops.h"

namespace kiln::cpu::onednn {

// Primitives depend on the input shape, so each kernel creates them lazily per shape. run() may be
// called from several threads: lookup and creation happen under one mutex (creation is rare).
template <typename Entry>
class ShapeCache {
 public:
  template <typename Make>
  Expected<std::shared_ptr<const Entry>> get(const Shape& shape, Make&& make) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(shape);
    if (it != map_.end()) return it->second;
    KILN_ASSIGN_OR_RETURN(std::shared_ptr<const Entry> e, make());
    map_.emplace(shape, e);
    return e;
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<Shape, std::shared_ptr<const Entry>> map_;
};

// The reference kernel for the node (nullptr when none): run when a shape seen at run time is
// one the oneDNN primitive cannot take, so the kernel never produces a wrong result.
inline KernelFn reference_kernel(const ir::Node& node) { return reference::find_kernel(node.domain, node.op_type); }
// Runs `fn` (a reference kernel) and counts it in reference_fallback_runs().
Status run_fallback(KernelFn fn, KernelContext& ctx);

// [N, C, s...] from a tensor's shape in its storage layout.
inline Shape logical_dims(const Shape& s, bool channels_last) { return channels_last ? to_channels_first(s) : s; }

// Format tag for data of this rank in the storage layout.
inline dnnl::memory::format_tag data_tag(size_t rank, bool channels_last) {
  return channels_last ? channels_last_tag(rank) : plain_tag(rank);
}

// True when the input can be fp32 data of rank 3..5 (unknown rank is allowed: checked at run).
inline bool f32_data_input(const PrepareContext& pctx, size_t i) {
  const ir::TypeInfo* t = pctx.input_type(i);
  if (!t || !t->is_tensor() || t->elem != DType::kFloat32) return false;
  return !t->has_rank() || (t->rank() >= 3 && t->rank() <= 5);
}

}  // namespace kiln::cpu::onednn
