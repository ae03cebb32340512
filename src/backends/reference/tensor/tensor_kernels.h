// Reference kernels of the tensor family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

// Error unless inputs [0, n) are all present tensors (shared by the family's kernels).
Status require_tensors(KernelContext& ctx, size_t n);

Status constant(KernelContext& ctx);
Status identity(KernelContext& ctx);
Status reshape(KernelContext& ctx);
Status flatten(KernelContext& ctx);
Status squeeze(KernelContext& ctx);
Status unsqueeze(KernelContext& ctx);
Status transpose(KernelContext& ctx);
Status concat(KernelContext& ctx);
Status split(KernelContext& ctx);
Status slice(KernelContext& ctx);
Status gather(KernelContext& ctx);
Status gather_elements(KernelContext& ctx);
Status gather_nd(KernelContext& ctx);
Status scatter(KernelContext& ctx);
Status scatter_elements(KernelContext& ctx);
Status scatter_nd(KernelContext& ctx);
Status expand(KernelContext& ctx);
Status tile(KernelContext& ctx);
Status pad(KernelContext& ctx);
Status shape(KernelContext& ctx);
Status size(KernelContext& ctx);
Status constant_of_shape(KernelContext& ctx);
Status range(KernelContext& ctx);
Status eye_like(KernelContext& ctx);
Status trilu(KernelContext& ctx);
Status depth_to_space(KernelContext& ctx);
Status space_to_depth(KernelContext& ctx);
Status compress(KernelContext& ctx);
Status non_zero(KernelContext& ctx);
Status one_hot(KernelContext& ctx);
Status reverse_sequence(KernelContext& ctx);
Status unique(KernelContext& ctx);
Status top_k(KernelContext& ctx);
Status cum_sum(KernelContext& ctx);

}  // namespace kiln::reference
