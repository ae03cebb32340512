#include <gtest/gtest.h>

#include <cmath>

#include "core/npy.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace kiln {

TEST(Half, RoundTripsExactValues) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.960464477539063e-08f}) {
    EXPECT_EQ(static_cast<float>(float16(f)), f) << f;
  }
  EXPECT_EQ(float16(1.0f).bits, 0x3c00);
  EXPECT_EQ(float16(65520.0f).bits, 0x7c00);  // rounds to +inf
  EXPECT_TRUE(std::isnan(static_cast<float>(float16(NAN))));
  EXPECT_EQ(float16(1.0f + 1.0f / 2048).bits, 0x3c00);  // tie -> even
  EXPECT_EQ(float16(1.0f + 3.0f / 2048).bits, 0x3c02);  // tie -> even (up)
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(bfloat16(1.0f).bits, 0x3f80);
  EXPECT_EQ(static_cast<float>(bfloat16(3.140625f)), 3.140625f);
  EXPECT_EQ(bfloat16(1.00390625f).bits, 0x3f80);  // halfway, stays even
}

TEST(Shape, Broadcasts) {
  auto s = broadcast_shapes({2, 1, 3}, {4, 1});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (Shape{2, 4, 3}));
  EXPECT_FALSE(broadcast_shapes({2, 3}, {4, 3}));
  EXPECT_EQ(broadcast_strides({4, 1}, {2, 4, 3}), (std::vector<int64_t>{0, 1, 0}));
}

TEST(Npy, RoundTrips) {
  Tensor t = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto back = parse_npy(serialize_npy(t), "mem");
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_EQ(back->data<float>()[5], 6.0f);
  EXPECT_FALSE(parse_npy("garbage", "bad.npy"));
  std::string truncated = serialize_npy(t);
  truncated.resize(truncated.size() - 4);
  auto err = parse_npy(truncated, "short.npy");
  ASSERT_FALSE(err);
  EXPECT_NE(err.status().message().find("short.npy"), std::string::npos);
}

TEST(Tensor, CastConvertsValues) {
  Tensor t = Tensor::from_vector<float>({1.7f, -2.2f, 0.0f}, {3});
  Tensor i = cast_tensor(t, DType::kInt32);
  EXPECT_EQ(i.data<int32_t>()[0], 1);
  EXPECT_EQ(i.data<int32_t>()[1], -2);
  Tensor b = cast_tensor(t, DType::kBool);
  EXPECT_TRUE(b.data<bool>()[0]);
  EXPECT_FALSE(b.data<bool>()[2]);
}

}  // namespace kiln

#include "backends/reference/util.h"

namespace kiln {

TEST(BroadcastWalker, MapsOffsets) {
  Shape out{2, 3};
  Shape a{2, 1};
  Shape b{3};
  reference::BroadcastWalker w(out, {&a, &b});
  std::vector<std::pair<int64_t, int64_t>> seen;
  for (int i = 0; i < 6; ++i, w.next()) seen.emplace_back(w.offset(0), w.offset(1));
  std::vector<std::pair<int64_t, int64_t>> want{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}};
  EXPECT_EQ(seen, want);
}

}  // namespace kiln
