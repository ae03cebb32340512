// Reference kernels of the misc family: one row per operator.
#include "backends/reference/misc/misc_kernels.h"
#include "backends/reference/families.h"

namespace kiln::reference {

std::span<const KernelEntry> misc_kernels() {
  static const KernelEntry kKernels[] = {
      {"", "DFT", dft},
      {"", "STFT", stft},
      {"", "BlackmanWindow", blackman_window},
      {"", "HammingWindow", hamming_window},
      {"", "HannWindow", hann_window},
      {"", "MelWeightMatrix", mel_weight_matrix},
      {"", "StringNormalizer", string_normalizer},
      {"", "TfIdfVectorizer", tfidf_vectorizer},
      {"", "Bernoulli", bernoulli},
      {"", "RandomUniformLike", random_uniform_like},
      {"", "RandomNormalLike", random_normal_like},
      {"", "RandomUniform", random_uniform},
      {"", "RandomNormal", random_normal},
      {"", "Multinomial", multinomial},
      {"ai.onnx.preview.training", "Adagrad", adagrad},
      {"ai.onnx.preview.training", "Adam", adam},
      {"ai.onnx.preview.training", "Momentum", momentum},
      {"", "Einsum", einsum},
      {"", "Det", det},
  };
  return kKernels;
}

}  // namespace kiln::reference
