// Reference kernels of the kiln-domain ops against their unfused definitions.
#include <gtest/gtest.h>

#include "backends/reference/kiln/forward_context.h"
#include "backends/reference/kiln/kiln_kernels.h"
#include "backends/reference/nn/nn_kernels.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::random_tensor;

TEST(KilnOps, ChannelsLastPermutationsRoundTrip) {
  Tensor x = random_tensor({2, 3, 4, 5}, 1);
  Tensor nhwc = reference::permute_to_channels_last(x);
  ASSERT_EQ(nhwc.shape(), (Shape{2, 4, 5, 3}));
  // element (n=1, c=2, h=3, w=4) moves to (1, 3, 4, 2)
  EXPECT_EQ(nhwc.data<float>()[((1 * 4 + 3) * 5 + 4) * 3 + 2], x.data<float>()[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
  Tensor back = reference::permute_to_channels_first(nhwc);
  ASSERT_EQ(back.shape(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(back.data<float>()[i], x.data<float>()[i]);
}

TEST(KilnOps, FusedConvChannelsLastMatchesConvThenAddThenClip) {
  Tensor x = random_tensor({1, 3, 5, 6}, 2), w = random_tensor({4, 3, 3, 3}, 3), b = random_tensor({4}, 4);
  Tensor z = random_tensor({1, 4, 5, 6}, 5);
  ir::Node conv_node;
  conv_node.op_type = "Conv";
  conv_node.attrs["pads"].kind = ir::Attribute::Kind::kInts;
  conv_node.attrs["pads"].ints = {1, 1, 1, 1};
  ForwardContext conv(conv_node, {Value(x), Value(w), Value(b)});
  ASSERT_TRUE(reference::conv(conv).is_ok());
  const Tensor& y = conv.output(0);

  ir::Node fused = conv_node;
  fused.op_type = "FusedConv";
  fused.domain = "kiln";
  fused.attrs["channels_last"].kind = ir::Attribute::Kind::kInt;
  fused.attrs["channels_last"].i = 1;
  fused.attrs["activation"].kind = ir::Attribute::Kind::kString;
  fused.attrs["activation"].s = "Clip";
  fused.attrs["activation_params"].kind = ir::Attribute::Kind::kFloats;
  fused.attrs["activation_params"].floats = {-0.5f, 0.5f};
  ForwardContext f(fused, {Value(reference::permute_to_channels_last(x)), Value(w), Value(b),
                           Value(reference::permute_to_channels_last(z))});
  ASSERT_TRUE(reference::fused_conv(f).is_ok());
  Tensor got = reference::permute_to_channels_first(f.output(0));
  ASSERT_EQ(got.shape(), y.shape());
  for (int64_t i = 0; i < y.numel(); ++i) {
    float want = std::min(0.5f, std::max(-0.5f, y.data<float>()[i] + z.data<float>()[i]));
    ASSERT_NEAR(got.data<float>()[i], want, 1e-5) << i;
  }
}

TEST(KilnOps, NhwcMaxPoolWrapsMaxPool) {
  Tensor x = random_tensor({1, 2, 5, 5}, 6);
  ir::Node pool;
  pool.op_type = "MaxPool";
  pool.opset = 12;
  pool.attrs["kernel_shape"].kind = ir::Attribute::Kind::kInts;
  pool.attrs["kernel_shape"].ints = {2, 2};
  ForwardContext plain(pool, {Value(x)});
  ASSERT_TRUE(reference::max_pool(plain).is_ok());
  ir::Node nhwc = pool;
  nhwc.op_type = "NhwcMaxPool";
  nhwc.domain = "kiln";
  ForwardContext wrapped(nhwc, {Value(reference::permute_to_channels_last(x))});
  ASSERT_TRUE(reference::channels_last_op(wrapped).is_ok());
  Tensor got = reference::permute_to_channels_first(wrapped.output(0));
  ASSERT_EQ(got.shape(), plain.output(0).shape());
  for (int64_t i = 0; i < got.numel(); ++i) ASSERT_EQ(got.data<float>()[i], plain.output(0).data<float>()[i]);
}

TEST(KilnOps, UnknownActivationIsAClearError) {
  test_util::CpuCheck c("FusedMatMul", 1, 1, "kiln");
  c.input(random_tensor({2, 3}, 7));
  c.input(random_tensor({3, 4}, 8));
  c.attr_string("activation", "Swish");
  auto r = c.run(Backend::kReference);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("unknown activation 'Swish'"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace kiln
