// Inference functions of the misc family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

// signal.cc
Status infer_dft(InferContext& ctx);
Status infer_stft(InferContext& ctx);
Status infer_window(InferContext& ctx);  // BlackmanWindow, HammingWindow, HannWindow
Status infer_mel_weight_matrix(InferContext& ctx);

// text.cc
Status infer_string_normalizer(InferContext& ctx);
Status infer_tfidf_vectorizer(InferContext& ctx);

// random.cc
Status infer_bernoulli(InferContext& ctx);
Status infer_random_like(InferContext& ctx);  // RandomUniformLike, RandomNormalLike
Status infer_random(InferContext& ctx);       // RandomUniform, RandomNormal
Status infer_multinomial(InferContext& ctx);

// training.cc (domain ai.onnx.preview.training)
Status infer_optimizer(InferContext& ctx);  // Adagrad, Adam, Momentum

// einsum.cc
Status infer_einsum(InferContext& ctx);
// Parsed einsum equation, shared with the kernel. Labels are letters; each "..." expands to
// ellipsis labels numbered from 1000 upward (right-aligned across operands).
struct EinsumSpec {
  std::vector<std::vector<int>> inputs;  // per operand, one label per axis
  std::vector<int> output;               // labels of the output axes
};
// Parses `equation` for operands of the given ranks.
Expected<EinsumSpec> parse_einsum(const std::string& equation, const std::vector<int64_t>& ranks);

// det.cc
Status infer_det(InferContext& ctx);

}  // namespace kiln
