// Batch split: a model with a static batch N whose images never meet (every node computes image i
// of its outputs from image i of its inputs) runs as N batch-1 executions, one image per thread
// at a time, instead of one batch-N execution whose every node is split over the threads.
//
// Why: on a few cores, per-image execution keeps each image's activations in cache (a batch of 16
// at 56x56x256 is 51 MB; one image is 3 MB) and the threads never wait for each other inside the
// network, so a stalled core (another job, a hypervisor steal) delays one image, not every node.
// OpenVINO's throughput streams and TensorRT's multi-context serving do the same at the request
// level. The decision is static (from the graph alone), so an offline model's stored plan and
// packed weights, made for batch 1, match the loader's decision.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace kiln {

// While it lives, the graph's value types are those of a smaller batch: dim 0 of every graph
// input is set to `images` by apply() and inference re-run. The destructor puts the original
// types back.
class SubBatchTypes {
 public:
  explicit SubBatchTypes(ir::Graph& graph);
  ~SubBatchTypes();
  SubBatchTypes(const SubBatchTypes&) = delete;
  SubBatchTypes& operator=(const SubBatchTypes&) = delete;

  // Fails when inference rejects that batch (e.g. a Reshape whose shape constant holds N).
  Status apply(int64_t images);

 private:
  struct Saved {
    ir::Value* value;
    ir::TypeInfo type;
    std::optional<Tensor> inferred_constant;
  };
  ir::Graph& graph_;
  std::vector<Saved> saved_;
};

struct BatchSplit {
  int64_t batch = 0;   // > 1: run the batch in sub-batches; 0: run it as a whole
  int64_t images = 1;  // images per sub-batch (divides batch)
  std::string reason;  // why not, when batch == 0
  int64_t runs() const { return batch > 1 ? batch / images : 0; }
};

// Per-image work (weighted ops' FLOPs) per byte of weights below which a batch stays whole: a
// batch-1 pass then mostly streams weights (an MLP's GEMV), where the batch's GEMM reuses them.
inline constexpr double kMinFlopsPerWeightByte = 8.0;

// Decides for a top-level graph whose types are inferred at its static batch (one image per
// sub-batch; KILN_SPLIT_IMAGES=g asks for g when it divides the batch, an A/B knob: ResNet-50 b16
// on 2 threads measured 690-740 ms with 1 image, 699-954 with 2 and 725-900 with 4):
// - every graph input and output is a tensor of fully known shape with the same dim 0, N >= 2;
// - every node is an op known to keep images apart (convolutions, pools, element-wise math,
//   GEMMs with constant weights, ...), with its axis away from dim 0 where it has one;
// - at batch 1 every computed value has the same type as at N except dim 0 = 1;
// - per image, the weighted ops do at least kMinFlopsPerWeightByte FLOPs per weight byte.
// Leaves the graph's types as they were. Once the other checks pass, a Reshape whose constant
// shape spells out N in dim 0 gets 0 there (copy the input's dim 0): the same result at N.
BatchSplit plan_batch_split(ir::Graph& graph);

}  // namespace kiln
