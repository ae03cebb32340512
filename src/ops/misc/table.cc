// The misc family: one row per operator.
#include "ops/misc/misc_ops.h"
#include "ops/families.h"

namespace kiln {

std::span<const OpSchema> misc_ops() {
  static const OpSchema kOps[] = {
      {"", "DFT", infer_dft},
      {"", "STFT", infer_stft},
      {"", "BlackmanWindow", infer_window},
      {"", "HammingWindow", infer_window},
      {"", "HannWindow", infer_window},
      {"", "MelWeightMatrix", infer_mel_weight_matrix},
      {"", "StringNormalizer", infer_string_normalizer},
      {"", "TfIdfVectorizer", infer_tfidf_vectorizer},
      {"", "Bernoulli", infer_bernoulli},
      {"", "RandomUniformLike", infer_random_like},
      {"", "RandomNormalLike", infer_random_like},
      {"", "RandomUniform", infer_random},
      {"", "RandomNormal", infer_random},
      {"", "Multinomial", infer_multinomial},
      {"ai.onnx.preview.training", "Adagrad", infer_optimizer},
      {"ai.onnx.preview.training", "Adam", infer_optimizer},
      {"ai.onnx.preview.training", "Momentum", infer_optimizer},
      {"", "Einsum", infer_einsum},
      {"", "Det", infer_det},
  };
  return kOps;
}

}  // namespace kiln
