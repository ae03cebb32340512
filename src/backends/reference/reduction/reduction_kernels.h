// Reference kernels of the reduction family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

Status reduce_l1(KernelContext& ctx);
Status reduce_l2(KernelContext& ctx);
Status reduce_log_sum(KernelContext& ctx);
Status reduce_log_sum_exp(KernelContext& ctx);
Status reduce_max(KernelContext& ctx);
Status reduce_mean(KernelContext& ctx);
Status reduce_min(KernelContext& ctx);
Status reduce_prod(KernelContext& ctx);
Status reduce_sum(KernelContext& ctx);
Status reduce_sum_square(KernelContext& ctx);
Status arg_max(KernelContext& ctx);
Status arg_min(KernelContext& ctx);

Status softmax(KernelContext& ctx);
Status log_softmax(KernelContext& ctx);
Status hardmax(KernelContext& ctx);

Status layer_normalization(KernelContext& ctx);
Status batch_normalization(KernelContext& ctx);
Status instance_normalization(KernelContext& ctx);
Status lrn(KernelContext& ctx);
Status mean_variance_normalization(KernelContext& ctx);

Status negative_log_likelihood_loss(KernelContext& ctx);
Status softmax_cross_entropy_loss(KernelContext& ctx);

Status dropout(KernelContext& ctx);

}  // namespace kiln::reference
