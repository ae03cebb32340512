// The public C++ API (include/kiln/kiln.hpp) as an application uses it: this file includes only
// <kiln/kiln.hpp> and links libkiln.so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "api_test_models.h"
#include "kiln/kiln.hpp"

namespace {

namespace fs = std::filesystem;

class KilnApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("kiln_api_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_EQ(kiln_api_test::write_addmul_models(dir_.string()), "");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string file(const char* name) { return (dir_ / name).string(); }

  const std::vector<float> a_ = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b_ = {0.5f, -1, 2, 10, 0, -3};
  static fs::path dir_;
};
fs::path KilnApi::dir_;

void expect_addmul(const std::vector<kiln::Tensor>& out, const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(out.size(), 2u);
  for (const kiln::Tensor& t : out) {
    EXPECT_EQ(t.type(), kiln::DataType::kFloat32);
    EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(t.bytes(), 24u);
  }
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_FLOAT_EQ(out[0].data<float>()[i], a[i] + b[i]) << i;
    EXPECT_FLOAT_EQ(out[1].data<float>()[i], a[i] * b[i]) << i;
  }
}

TEST_F(KilnApi, LoadsOnnxAndOmWithTheSameInterface) {
  for (const char* name : {"addmul.onnx", "addmul.om"}) {
    SCOPED_TRACE(name);
    kiln::Result<kiln::Model> model = kiln::Model::load(file(name), {.threads = 1});
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ(model->format(), std::string(name).ends_with(".om") ? "om" : "onnx");
    ASSERT_EQ(model->inputs().size(), 2u);
    EXPECT_EQ(model->inputs()[0].name, "a");
    EXPECT_EQ(model->inputs()[1].name, "b");
    EXPECT_EQ(model->inputs()[0].type, kiln::DataType::kFloat32);
    EXPECT_EQ(model->inputs()[0].shape, (std::vector<int64_t>{2, 3}));
    ASSERT_EQ(model->outputs().size(), 2u);
    EXPECT_EQ(model->outputs()[0].name, "sum");
    EXPECT_EQ(model->outputs()[1].name, "prod");
  }
}

TEST_F(KilnApi, RunsByPositionAndByName) {
  for (const char* name : {"addmul.onnx", "addmul.om"}) {
    SCOPED_TRACE(name);
    auto model = kiln::Model::load(file(name));
    ASSERT_TRUE(model.ok()) << model.status().message();
    auto out = model->run({kiln::TensorView::of(a_.data(), {2, 3}), kiln::TensorView::of(b_.data(), {2, 3})});
    ASSERT_TRUE(out.ok()) << out.status().message();
    expect_addmul(*out, a_, b_);
    // By name, in the other order.
    out = model->run({kiln::TensorView::of(b_.data(), {2, 3}, "b"), kiln::TensorView::of(a_.data(), {2, 3}, "a")});
    ASSERT_TRUE(out.ok()) << out.status().message();
    expect_addmul(*out, a_, b_);
  }
}

TEST_F(KilnApi, OutputsOutliveTheModelAndTheInputs) {
  std::vector<kiln::Tensor> kept;
  {
    std::vector<float> a = a_, b = b_;
    auto model = kiln::Model::load(file("addmul.om"));
    ASSERT_TRUE(model.ok()) << model.status().message();
    auto out = model->run({kiln::TensorView::of(a.data(), {2, 3}), kiln::TensorView::of(b.data(), {2, 3})});
    ASSERT_TRUE(out.ok()) << out.status().message();
    kept = std::move(out).value();
    std::fill(a.begin(), a.end(), 100.f);
  }
  expect_addmul(kept, a_, b_);
}

TEST_F(KilnApi, WritesIntoCallerBuffers) {
  auto model = kiln::Model::load(file("addmul.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::vector<float> sum(6, -1), prod(6, -1);
  kiln::Status s = model->run({kiln::TensorView::of(a_.data(), {2, 3}), kiln::TensorView::of(b_.data(), {2, 3})},
                              {kiln::MutableTensorView::of(sum.data(), sum.size()),
                               kiln::MutableTensorView::of(prod.data(), prod.size())});
  ASSERT_TRUE(s.ok()) << s.message();
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_FLOAT_EQ(sum[i], a_[i] + b_[i]);
    EXPECT_FLOAT_EQ(prod[i], a_[i] * b_[i]);
  }
  // A buffer one element short is refused and names the sizes.
  s = model->run({kiln::TensorView::of(a_.data(), {2, 3}), kiln::TensorView::of(b_.data(), {2, 3})},
                 {kiln::MutableTensorView::of(sum.data(), 5), kiln::MutableTensorView::of(prod.data(), 6)});
  EXPECT_EQ(s.code(), kiln::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("24 bytes"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("holds 20"), std::string::npos) << s.message();
}

TEST_F(KilnApi, BadInputsAreErrorsNotCrashes) {
  auto model = kiln::Model::load(file("addmul.om"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const auto a = kiln::TensorView::of(a_.data(), {2, 3});
  auto out = model->run({a});
  EXPECT_EQ(out.status().code(), kiln::StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("2 inputs"), std::string::npos) << out.status().message();
  out = model->run({a, kiln::TensorView::of(b_.data(), {3, 2})});
  EXPECT_FALSE(out.ok());
  std::vector<int32_t> ints(6);
  out = model->run({a, kiln::TensorView::of(ints.data(), {2, 3})});
  EXPECT_FALSE(out.ok());
  out = model->run({a, kiln::TensorView{"", kiln::DataType::kFloat32, {2, 3}, nullptr}});
  EXPECT_EQ(out.status().code(), kiln::StatusCode::kInvalidArgument);
  out = model->run({kiln::TensorView::of(a_.data(), {2, 3}, "a"), kiln::TensorView::of(b_.data(), {2, 3}, "c")});
  EXPECT_EQ(out.status().code(), kiln::StatusCode::kNotFound);
  out = model->run({kiln::TensorView::of(a_.data(), {2, 3}, "a"), kiln::TensorView::of(b_.data(), {2, 3})});
  EXPECT_EQ(out.status().code(), kiln::StatusCode::kInvalidArgument);
}

TEST_F(KilnApi, LoadErrorsNameTheFile) {
  auto missing = kiln::Model::load(file("no_such_model.onnx"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_model.onnx"), std::string::npos) << missing.status().message();
  const std::string junk = file("junk.om");
  FILE* f = std::fopen(junk.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("not a model at all", f);
  std::fclose(f);
  EXPECT_FALSE(kiln::Model::load(junk).ok());
}

TEST_F(KilnApi, RunsFromSeveralThreads) {
  auto model = kiln::Model::load(file("addmul.om"), {.threads = 1});
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<float> a(6), b(6);
      for (int i = 0; i < 6; ++i) a[i] = static_cast<float>(t * 10 + i), b[i] = static_cast<float>(t);
      for (int r = 0; r < 50; ++r) {
        auto out = model->run({kiln::TensorView::of(a.data(), {2, 3}), kiln::TensorView::of(b.data(), {2, 3})});
        if (!out.ok()) return;
        bool same = true;
        for (int i = 0; i < 6; ++i) same = same && (*out)[0].data<float>()[i] == a[i] + b[i];
        good[t] += same;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good, (std::vector<int>{50, 50, 50, 50}));
}

TEST(KilnApiTypes, DataTypeSizesAndNames) {
  EXPECT_EQ(kiln::data_type_size(kiln::DataType::kFloat32), 4u);
  EXPECT_EQ(kiln::data_type_size(kiln::DataType::kFloat16), 2u);
  EXPECT_EQ(kiln::data_type_size(kiln::DataType::kInt64), 8u);
  EXPECT_EQ(kiln::data_type_size(kiln::DataType::kUndefined), 0u);
  EXPECT_STREQ(kiln::data_type_name(kiln::DataType::kUInt8), "uint8");
  EXPECT_STREQ(kiln::version(), "0.1.0");
}

}  // namespace
