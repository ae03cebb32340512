// Reference kernels of the reduction family: one row per operator.
#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> reduction_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "ReduceL1", reduce_l1},
      {"", "ReduceL2", reduce_l2},
      {"", "ReduceLogSum", reduce_log_sum},
      {"", "ReduceLogSumExp", reduce_log_sum_exp},
      {"", "ReduceMax", reduce_max},
      {"", "ReduceMean", reduce_mean},
      {"", "ReduceMin", reduce_min},
      {"", "ReduceProd", reduce_prod},
      {"", "ReduceSum", reduce_sum},
      {"", "ReduceSumSquare", reduce_sum_square},
      {"", "ArgMax", arg_max},
      {"", "ArgMin", arg_min},
      {"", "Softmax", softmax},
      {"", "LogSoftmax", log_softmax},
      {"", "Hardmax", hardmax},
      {"", "LayerNormalization", layer_normalization},
      {"", "BatchNormalization", batch_normalization},
      {"", "InstanceNormalization", instance_normalization},
      {"", "LRN", lrn},
      {"", "MeanVarianceNormalization", mean_variance_normalization},
      {"", "NegativeLogLikelihoodLoss", negative_log_likelihood_loss},
      {"", "SoftmaxCrossEntropyLoss", softmax_cross_entropy_loss},
      {"", "Dropout", dropout},
  };
  return kKernels;
}

}  // namespace kiln::reference
