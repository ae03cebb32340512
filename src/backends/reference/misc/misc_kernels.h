// Reference kernels of the misc family (rows in table.cc).
#pragma once

#include <type_traits>

#include "backends/kernel.h"

namespace kiln::reference {

// signal.cc
Status dft(KernelContext& ctx);
Status stft(KernelContext& ctx);
Status blackman_window(KernelContext& ctx);
Status hamming_window(KernelContext& ctx);
Status hann_window(KernelContext& ctx);
Status mel_weight_matrix(KernelContext& ctx);

// text.cc
Status string_normalizer(KernelContext& ctx);
Status tfidf_vectorizer(KernelContext& ctx);

// random.cc
Status bernoulli(KernelContext& ctx);
Status random_uniform_like(KernelContext& ctx);
Status random_normal_like(KernelContext& ctx);
Status random_uniform(KernelContext& ctx);
Status random_normal(KernelContext& ctx);
Status multinomial(KernelContext& ctx);

// training.cc
Status adagrad(KernelContext& ctx);
Status adam(KernelContext& ctx);
Status momentum(KernelContext& ctx);

// einsum.cc
Status einsum(KernelContext& ctx);

// det.cc
Status det(KernelContext& ctx);

// Element conversions for kernels that compute in double: float16/bfloat16 round on store.
template <typename T>
double misc_load(T v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}
template <typename T>
T misc_store(double v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

}  // namespace kiln::reference
