// Dropout. Outside training, or with ratio 0, the output is the input and the mask is all true.
// In training it zeroes each element with probability `ratio` and scales the rest by
// 1 / (1 - ratio); that draw is random (reproducible with the `seed` attribute).
#include <random>

#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/reduction/reduction_util.h"

namespace kiln::reference {

Status dropout(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const ir::Node& node = ctx.node();
  double ratio = 0.5;
  bool training = false;
  if (ctx.opset() >= 12) {
    if (ctx.has_input(1)) {
      if (ctx.input(1).numel() != 1) return ctx.error("ratio must be a scalar, got shape {}", shape_str(ctx.input(1).shape()));
      ratio = ctx.input(1).as_double(0);
    }
    if (ctx.has_input(2)) {
      if (ctx.input(2).numel() != 1) return ctx.error("training_mode must be a scalar, got shape {}", shape_str(ctx.input(2).shape()));
      training = ctx.input(2).as_double(0) != 0;
    }
  } else {
    ratio = node.attr_float("ratio", 0.5f);
    // Before opset 7, is_test=0 (the default) meant training.
    training = ctx.opset() < 7 && node.attr_int("is_test", 0) == 0;
  }
  if (ratio < 0 || ratio > 1) return ctx.error("ratio must be in [0, 1], got {}", ratio);
  if (!dtype_is_float(x.dtype())) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  const bool want_mask = ctx.num_outputs() > 1 && ctx.wants_output(1);
  const DType mask_type = ctx.opset() >= 10 ? DType::kBool : x.dtype();

  if (!training || ratio == 0) {
    ctx.set_output(0, ctx.input_value(0));
    if (want_mask) {
      Tensor& mask = ctx.allocate_output(1, mask_type, x.shape());
      KILN_DISPATCH_POD(mask_type, T, {
        T* p = mask.data<T>();
        for (int64_t i = 0; i < mask.numel(); ++i) p[i] = from_double<T>(1.0);
      });
    }
    return Status::ok();
  }

  // Keep an element when a uniform [0, 1) draw is >= ratio. The draws follow NumPy's legacy
  // RandomState(seed).uniform stream (MT19937, 53-bit doubles), as the ONNX reference does, so a
  // given seed reproduces its masks; without `seed` the generator is seeded at random.
  std::mt19937 rng(node.has_attr("seed") ? static_cast<uint32_t>(node.attr_int("seed", 0)) : std::random_device{}());
  auto uniform = [&rng]() {
    const double a = static_cast<double>(rng() >> 5), b = static_cast<double>(rng() >> 6);
    return (a * 67108864.0 + b) / 9007199254740992.0;
  };
  std::vector<bool> kept(static_cast<size_t>(x.numel()));
  for (size_t i = 0; i < kept.size(); ++i) kept[i] = uniform() >= ratio;
  const double scale = ratio < 1 ? 1.0 / (1.0 - ratio) : 0.0;
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  KILN_DISPATCH_FLOAT(x.dtype(), T, {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) py[i] = from_double<T>(kept[static_cast<size_t>(i)] ? to_double(px[i]) * scale : 0.0);
  });
  if (want_mask) {
    Tensor& mask = ctx.allocate_output(1, mask_type, x.shape());
    KILN_DISPATCH_POD(mask_type, T, {
      T* p = mask.data<T>();
      for (int64_t i = 0; i < mask.numel(); ++i) p[i] = from_double<T>(kept[static_cast<size_t>(i)] ? 1.0 : 0.0);
    });
  }
  return Status::ok();
}

}  // namespace kiln::reference
