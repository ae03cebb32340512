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

// Images per sub-batch for a batch of n: the largest divisor of n that is at most
// kMaxSplitImages and leaves at least kMinSplitRuns sub-batches. More images per sub-batch read
// each weight once for all of them (ResNet-50 streams 100 MB of weights per pass) and make every
// primitive call bigger; fewer keep activations in cache and give the threads more sub-batches to
// share (a stalled core delays a smaller part of the batch). ResNet-50 b16 on 2 threads, Xeon with
// AVX-512 and 2 MB L2 per core (KILN_SPLIT_IMAGES A/B, 4 s runs, two rounds): medians 364 / 372 ms
// with 1 image, 328 / 347 with 2, 305 / 326 with 4, 331 / 341 with 8, 351 / 347 unsplit. On the
// earlier AMD EPYC with AVX2 and 512 KB L2 the noise hid any difference (690-740 ms with 1 image,
// 699-954 with 2, 725-900 with 4).
inline constexpr int64_t kMaxSplitImages = 4;
inline constexpr int64_t kMinSplitRuns = 4;
inline int64_t default_split_images(int64_t n) {
  for (int64_t g = kMaxSplitImages; g > 1; --g) {
    if (n % g == 0 && n / g >= kMinSplitRuns) return g;
  }
  return 1;
}

// Decides for a top-level graph whose types are inferred at its static batch (images per
// sub-batch from default_split_images(); KILN_SPLIT_IMAGES=g asks for g instead when it divides
// the batch, an A/B knob):
// - every graph input and output is a tensor of fully known shape with the same dim 0, N >= 2;
// - every node is an op known to keep images apart (convolutions, pools, element-wise math,
//   GEMMs with constant weights, ...), with its axis away from dim 0 where it has one;
// - at batch 1 every computed value has the same type as at N except dim 0 = 1;
// - per image, the weighted ops do at least kMinFlopsPerWeightByte FLOPs per weight byte.
// Leaves the graph's types as they were. Once the other checks pass, a Reshape whose constant
// shape spells out N in dim 0 gets 0 there (copy the input's dim 0): the same result at N.
BatchSplit plan_batch_split(ir::Graph& graph);

}  // namespace kiln
