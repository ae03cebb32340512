// Inference functions of the reduction family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

// Reduce* (axes as attribute or, where the opset says so, as input 1) and ArgMax/ArgMin.
Status infer_reduce(InferContext& ctx);
Status infer_arg_reduce(InferContext& ctx);

// Softmax, LogSoftmax, Hardmax: same type as the input, axis checked.
Status infer_softmax_like(InferContext& ctx);

// Normalizations.
Status infer_layer_normalization(InferContext& ctx);
Status infer_batch_normalization(InferContext& ctx);
Status infer_instance_normalization(InferContext& ctx);
Status infer_lrn(InferContext& ctx);
Status infer_mean_variance_normalization(InferContext& ctx);

// Losses.
Status infer_negative_log_likelihood_loss(InferContext& ctx);
Status infer_softmax_cross_entropy_loss(InferContext& ctx);

Status infer_dropout(InferContext& ctx);

}  // namespace kiln
