// ModelRunner: execution on caller buffers in AscendCL input order, gear selection and sizes,
// dense outputs that leave the rest of a larger buffer untouched, and concurrent runs.
#include "offline/model_runner.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <thread>

#include "offline/gears.h"
#include "om_test_util.h"

namespace kiln {
namespace {

using namespace test_util;

// Writes `b`'s model (optimized in a CPU session) with its interface, changed by `edit`, and
// reads it back.
offline::OfflineModel write_and_read(GraphBuilder& b, const TempDir& dir,
                                     const std::function<void(offline::Metadata&)>& edit = {}) {
  auto s = Session::create(b.model);
  EXPECT_TRUE(s) << s.status().to_string();
  offline::Metadata meta = meta_for((*s)->model());
  if (edit) edit(meta);
  EXPECT_TRUE(offline::write_om(dir.file("m.om"), meta, **s).is_ok());
  auto om = offline::read_om(dir.file("m.om"));
  EXPECT_TRUE(om) << om.status().to_string();
  return std::move(*om);
}

TEST(ModelRunner, RunsConvModelOnCallerBuffersLikeTheSession) {
  TempDir dir;
  GraphBuilder b = conv_model();
  offline::OfflineModel om = write_and_read(b, dir);
  auto reference = offline::create_session(om, {});
  ASSERT_TRUE(reference);
  auto want = (*reference)->run(b.feeds);
  ASSERT_TRUE(want);
  auto runner = offline::ModelRunner::create(std::move(om), 2);
  ASSERT_TRUE(runner) << runner.status().to_string();
  EXPECT_EQ((*runner)->default_gear(), -1);
  EXPECT_EQ(*(*runner)->input_bytes(0, -1), 3u * 8 * 8 * 4);
  EXPECT_EQ((*runner)->output_bytes(0, -1), 5u * 4);
  const Tensor& x = b.feeds[0].value.tensor();
  std::vector<float> y(8, -7.0f);  // 3 floats more than the output needs
  Status st = (*runner)->run({{x.raw(), x.nbytes()}}, {{y.data(), y.size() * 4}}, -1);
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  const Tensor& w = want->at(0).tensor();
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(y[static_cast<size_t>(k)], w.data<float>()[k], 1e-5);
  EXPECT_EQ(y[5], -7.0f);
  EXPECT_EQ(y[7], -7.0f);
}

TEST(ModelRunner, CheckNamesTheBufferAndTheSizes) {
  TempDir dir;
  GraphBuilder b = conv_model();
  auto runner = offline::ModelRunner::create(write_and_read(b, dir));
  ASSERT_TRUE(runner);
  std::vector<float> x(3 * 8 * 8), y(5);
  Status st = (*runner)->check({{x.data(), 100}}, {{y.data(), 20}}, -1);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("input buffer 0 ('x') holds 100 bytes"), std::string::npos) << st.message();
  st = (*runner)->check({{x.data(), x.size() * 4}}, {{y.data(), 19}}, -1);
  EXPECT_NE(st.message().find("output buffer 0"), std::string::npos) << st.message();
  st = (*runner)->check({{nullptr, x.size() * 4}}, {{y.data(), 20}}, -1);
  EXPECT_NE(st.message().find("NULL"), std::string::npos) << st.message();
  st = (*runner)->check({}, {{y.data(), 20}}, -1);
  EXPECT_NE(st.message().find("0 input buffers given, the model has 1"), std::string::npos) << st.message();
  EXPECT_FALSE((*runner)->input_bytes(3, -1));
}

// y = 2x over x [N, 3] with batch gears 1, 4, 2 (the largest is not the last) and the gear input.
offline::OfflineModel batch_model(const TempDir& dir) {
  GraphBuilder b(17);
  ir::Value* x = b.input("x", {4, 3});
  x->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("N"), ir::Dim(3)});
  b.output(b.op("Mul", {x, b.scalar(2)}));
  EXPECT_TRUE(b.g->finalize().is_ok());
  return write_and_read(b, dir, [](offline::Metadata& meta) {
    offline::TensorDesc gear;
    gear.name = "ascend_mbatch_shape_data";
    gear.dtype = DType::kInt32;
    gear.role = offline::TensorDesc::Role::kDynamicGear;
    gear.dims = {1};
    gear.bytes = 4;
    meta.inputs.push_back(gear);
    meta.gears.kind = offline::GearKind::kBatch;
    meta.gears.values = {{1}, {4}, {2}};
    meta.gears.positions = {{0, 0}};
    meta.gears.output_dims = {{{1, 3}}, {{4, 3}}, {{2, 3}}};
  });
}

TEST(ModelRunner, GearsSelectShapesAndSizes) {
  TempDir dir;
  auto runner = offline::ModelRunner::create(batch_model(dir));
  ASSERT_TRUE(runner) << runner.status().to_string();
  const offline::ModelRunner& r = **runner;
  EXPECT_EQ(r.default_gear(), 1);
  EXPECT_EQ(offline::find_gear(r.meta().gears, {2}), 2);
  EXPECT_EQ(offline::find_gear(r.meta().gears, {3}), -1);
  EXPECT_EQ(*r.input_shape(0, 2), (Shape{2, 3}));
  EXPECT_EQ(*r.input_bytes(0, -1), 48u);
  EXPECT_EQ(*r.input_bytes(0, 7), 48u);  // a gear index out of range means the default
  EXPECT_EQ(*r.input_bytes(1, 0), 0u);  // the gear input is not read
  EXPECT_EQ(r.output_dims(0, 0), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(r.output_bytes(0, 2), 24u);
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const int32_t gear_value = 2;
  std::vector<float> y(12, 0.5f);
  Status st = r.run({{x, sizeof x}, {&gear_value, 4}}, {{y.data(), y.size() * 4}}, 2);
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  for (int k = 0; k < 6; ++k) EXPECT_EQ(y[static_cast<size_t>(k)], 2.0f * x[k]);
  EXPECT_EQ(y[6], 0.5f);
  // The largest gear needs four rows.
  st = r.run({{x, sizeof x}, {&gear_value, 4}}, {{y.data(), y.size() * 4}}, -1);
  EXPECT_NE(st.message().find("at gear [4]"), std::string::npos) << st.message();
}

TEST(ModelRunner, ConcurrentRunsAgree) {
  TempDir dir;
  auto runner = offline::ModelRunner::create(batch_model(dir), 4);
  ASSERT_TRUE(runner);
  const offline::ModelRunner& r = **runner;
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        float x[12], y[12];
        for (int k = 0; k < 12; ++k) x[k] = static_cast<float>(t * 100 + i + k);
        const int32_t gear = 4;
        if (!r.run({{x, sizeof x}, {&gear, 4}}, {{y, sizeof y}}, 1).is_ok()) ++failures[static_cast<size_t>(t)];
        for (int k = 0; k < 12; ++k) {
          if (y[k] != 2.0f * x[k]) ++failures[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[static_cast<size_t>(t)], 0) << "thread " << t;
}

}  // namespace
}  // namespace kiln
