// Prepare functions of the CPU tensor family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu::tensor {

using Prepared = Expected<std::unique_ptr<OpKernel>>;

// Zero-copy views: Reshape, Flatten, Squeeze, Unsqueeze, Identity (view_ops.cc).
Prepared prepare_reshape(const PrepareContext& pctx);
Prepared prepare_flatten(const PrepareContext& pctx);
Prepared prepare_squeeze(const PrepareContext& pctx);
Prepared prepare_unsqueeze(const PrepareContext& pctx);
Prepared prepare_identity(const PrepareContext& pctx);

Prepared prepare_transpose(const PrepareContext& pctx);  // transpose.cc

// Copies (copy_ops.cc).
Prepared prepare_concat(const PrepareContext& pctx);
Prepared prepare_split(const PrepareContext& pctx);
Prepared prepare_slice(const PrepareContext& pctx);
Prepared prepare_expand(const PrepareContext& pctx);
Prepared prepare_tile(const PrepareContext& pctx);
Prepared prepare_gather(const PrepareContext& pctx);
Prepared prepare_pad(const PrepareContext& pctx);  // pad.cc

// Resize and kiln.NhwcResize, float32 (resize.cc).
Prepared prepare_resize(const PrepareContext& pctx);
Prepared prepare_nhwc_resize(const PrepareContext& pctx);

// Reductions, float32 (+ int64 for Sum/Max/Min) (reduce.cc).
Prepared prepare_reduce_sum(const PrepareContext& pctx);
Prepared prepare_reduce_mean(const PrepareContext& pctx);
Prepared prepare_reduce_max(const PrepareContext& pctx);
Prepared prepare_reduce_min(const PrepareContext& pctx);
Prepared prepare_arg_max(const PrepareContext& pctx);
Prepared prepare_arg_min(const PrepareContext& pctx);

}  // namespace kiln::cpu::tensor
