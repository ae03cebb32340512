// The reduction family: one row per operator.
#include "ops/reduction/reduction_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> reduction_ops() {
  static const OpSchema kOps[] = {
      {"", "ReduceL1", infer_reduce},
      {"", "ReduceL2", infer_reduce},
      {"", "ReduceLogSum", infer_reduce},
      {"", "ReduceLogSumExp", infer_reduce},
      {"", "ReduceMax", infer_reduce},
      {"", "ReduceMean", infer_reduce},
      {"", "ReduceMin", infer_reduce},
      {"", "ReduceProd", infer_reduce},
      {"", "ReduceSum", infer_reduce},
      {"", "ReduceSumSquare", infer_reduce},
      {"", "ArgMax", infer_arg_reduce},
      {"", "ArgMin", infer_arg_reduce},
      {"", "Softmax", infer_softmax_like},
      {"", "LogSoftmax", infer_softmax_like},
      {"", "Hardmax", infer_softmax_like},
      {"", "LayerNormalization", infer_layer_normalization},
      {"", "BatchNormalization", infer_batch_normalization},
      {"", "InstanceNormalization", infer_instance_normalization},
      {"", "LRN", infer_lrn},
      {"", "MeanVarianceNormalization", infer_mean_variance_normalization},
      {"", "NegativeLogLikelihoodLoss", infer_negative_log_likelihood_loss},
      {"", "SoftmaxCrossEntropyLoss", infer_softmax_cross_entropy_loss},
      {"", "Dropout", infer_dropout},
  };
  return kOps;
}

}  // namespace kiln
