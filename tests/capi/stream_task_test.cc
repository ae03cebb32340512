// capi::submit and the stream's first-error capture (spec §4.6, §7.1), tested through the
// internal API: no public AscendCL call queues a task that can fail at run time without a model.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "capi/capi.h"

namespace kiln::capi {
namespace {

class StreamTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateStream(&stream_), ACL_SUCCESS);
  }
  void TearDown() override {
    EXPECT_EQ(aclrtDestroyStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
  }
  aclrtStream stream_ = nullptr;
};

TEST_F(StreamTaskTest, FirstFailureIsReportedOnceThenCleared) {
  std::atomic<int> ran{0};
  ASSERT_EQ(submit(stream_, [&] { ++ran; return fail(ACL_ERROR_RT_MODEL_EXECUTE, "first failure: input 0 too short"); }), ACL_SUCCESS);
  ASSERT_EQ(submit(stream_, [&] { ++ran; return ACL_SUCCESS; }), ACL_SUCCESS);
  ASSERT_EQ(submit(stream_, [&] { ++ran; return fail(ACL_ERROR_INVALID_PARAM, "second failure"); }), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_MODEL_EXECUTE);
  EXPECT_EQ(ran.load(), 3);  // later tasks still run after a failure
  EXPECT_NE(std::string(aclGetRecentErrMsg()).find("input 0 too short"), std::string::npos) << aclGetRecentErrMsg();
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);  // reported once, then cleared
  ASSERT_EQ(submit(stream_, [] { return fail(ACL_ERROR_INVALID_PARAM, "third failure"); }), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
}

TEST_F(StreamTaskTest, DefaultStreamCapturesErrorsToo) {
  ASSERT_EQ(submit(nullptr, [] { return fail(ACL_ERROR_RT_MODEL_EXECUTE, "on the default stream"); }), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_ERROR_RT_MODEL_EXECUTE);
  EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
}

TEST_F(StreamTaskTest, ThrowingTaskBecomesInternalError) {
  ASSERT_EQ(submit(stream_, []() -> aclError { throw std::runtime_error("kernel exploded"); }), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_INTERNAL_ERROR);
  EXPECT_NE(std::string(aclGetRecentErrMsg()).find("kernel exploded"), std::string::npos);
}

TEST_F(StreamTaskTest, SynchronizeDeviceReportsAStreamError) {
  ASSERT_EQ(submit(stream_, [] { return fail(ACL_ERROR_RT_MODEL_EXECUTE, "device-wide"); }), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeDevice(), ACL_ERROR_RT_MODEL_EXECUTE);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
}

TEST_F(StreamTaskTest, TasksRunUnderTheStreamsContext) {
  aclrtContext expected = nullptr, seen = nullptr;
  ASSERT_EQ(aclrtGetCurrentContext(&expected), ACL_SUCCESS);
  aclrtContext other = nullptr;
  ASSERT_EQ(aclrtCreateContext(&other, 0), ACL_SUCCESS);  // current here: other; the stream's: expected
  ASSERT_EQ(submit(stream_, [&] { return aclrtGetCurrentContext(&seen); }), ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(aclrtDestroyContext(other), ACL_SUCCESS);
}

TEST_F(StreamTaskTest, TaskCannotSynchronizeOrDestroyItsOwnStream) {
  aclrtStream self = stream_;
  aclError sync = ACL_SUCCESS, destroy = ACL_SUCCESS;
  ASSERT_EQ(submit(stream_, [&] {
              sync = aclrtSynchronizeStream(self);
              destroy = aclrtDestroyStream(self);
              return ACL_SUCCESS;
            }),
            ACL_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
  EXPECT_EQ(sync, ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(destroy, ACL_ERROR_INVALID_PARAM);
}

TEST_F(StreamTaskTest, SubmitChecksTheHandle) {
  aclrtStream dead = nullptr;
  ASSERT_EQ(aclrtCreateStream(&dead), ACL_SUCCESS);
  ASSERT_EQ(aclrtDestroyStream(dead), ACL_SUCCESS);
  EXPECT_EQ(submit(dead, [] { return ACL_SUCCESS; }), ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(submit(reinterpret_cast<aclrtStream>(0x10), [] { return ACL_SUCCESS; }), ACL_ERROR_INVALID_PARAM);
}

TEST(StreamTaskNoContext, NullStreamWithoutContextIs107002) {
  ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
  EXPECT_EQ(submit(nullptr, [] { return ACL_SUCCESS; }), ACL_ERROR_RT_CONTEXT_NULL);
  EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

}  // namespace
}  // namespace kiln::capi
