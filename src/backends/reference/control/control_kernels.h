// Reference kernels of the control family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

// if_loop.cc, scan.cc
Status if_op(KernelContext& ctx);
Status loop(KernelContext& ctx);
Status scan(KernelContext& ctx);

// sequence.cc, sequence_map.cc
Status sequence_empty(KernelContext& ctx);
Status sequence_construct(KernelContext& ctx);
Status sequence_at(KernelContext& ctx);
Status sequence_erase(KernelContext& ctx);
Status sequence_insert(KernelContext& ctx);
Status sequence_length(KernelContext& ctx);
Status sequence_map(KernelContext& ctx);
Status split_to_sequence(KernelContext& ctx);
Status concat_from_sequence(KernelContext& ctx);

// optional.cc
Status optional(KernelContext& ctx);
Status optional_get_element(KernelContext& ctx);
Status optional_has_element(KernelContext& ctx);

// rnn.cc
Status rnn(KernelContext& ctx);
Status gru(KernelContext& ctx);
Status lstm(KernelContext& ctx);

// Copies `count` elements from src (starting at element src_off) to dst (at dst_off); both must
// have the same dtype. Works for strings too. (tensor_copy.cc)
void copy_elements(const Tensor& src, int64_t src_off, Tensor& dst, int64_t dst_off, int64_t count);
// The slice `index` of `t` along `axis`, with that axis removed.
Tensor take_along(const Tensor& t, int64_t axis, int64_t index);
// Stacks equally shaped tensors along a new axis `axis` (in [0, rank]).
Tensor stack_along(const std::vector<Tensor>& items, int64_t axis, DType dtype, const Shape& item_shape);

}  // namespace kiln::reference
