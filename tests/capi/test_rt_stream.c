/* Streams and events (spec §4.6, §7.1): creation and misuse, in-order execution past the queue
 * bound, streams used from two threads, events (record/query/synchronize/elapsed/reset) and
 * ordering across streams with aclrtStreamWaitEvent. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>

#include "capi_test.h"

enum { kBig = 32 << 20 }; /* a memset of this size takes milliseconds: long enough to race */

static void test_create_destroy(void) {
    aclrtStream a = NULL, b = NULL;
    aclrtStream bogus = (aclrtStream)(uintptr_t)0x1234;
    EXPECT_EQ(aclrtCreateStream(NULL), ACL_ERROR_INVALID_PARAM);
    ASSERT_OK(aclrtCreateStream(&a));
    ASSERT_OK(aclrtCreateStream(&b));
    EXPECT_TRUE(a != NULL && b != NULL && a != b);
    EXPECT_OK(aclrtSynchronizeStream(a)); /* nothing queued */
    EXPECT_OK(aclrtDestroyStream(a));
    EXPECT_EQ(aclrtDestroyStream(a), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSynchronizeStream(a), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyStream(NULL), ACL_ERROR_INVALID_PARAM); /* the default stream */
    EXPECT_EQ(aclrtDestroyStream(bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSynchronizeStream(bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_OK(aclrtDestroyStream(b));
}

/* Queues `n` copies slot[i] -> slot[i+1] after setting slot[0]: every slot ends up equal to
 * `value` only if the copies ran in submission order. */
static void queue_chain(int32_t *slots, int n, int32_t value, aclrtStream stream) {
    int i;
    EXPECT_OK(aclrtMemcpyAsync(&slots[0], sizeof(int32_t), &value, sizeof(int32_t), ACL_MEMCPY_HOST_TO_DEVICE, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream)); /* `value` lives on this stack frame */
    for (i = 0; i < n; ++i) {
        aclError ret = aclrtMemcpyAsync(&slots[i + 1], sizeof(int32_t), &slots[i], sizeof(int32_t),
                                        ACL_MEMCPY_DEVICE_TO_DEVICE, stream);
        if (ret != ACL_SUCCESS) {
            EXPECT_OK(ret);
            return;
        }
    }
}

static int count_equal(const int32_t *slots, int n, int32_t value) {
    int i, count = 0;
    for (i = 0; i < n; ++i) count += slots[i] == value;
    return count;
}

static void test_in_order_past_the_queue_bound(void) {
    enum { kTasks = 5000 }; /* more than the queue holds: submission blocks, never fails */
    int32_t *slots = (int32_t *)calloc(kTasks + 1, sizeof(int32_t));
    aclrtStream stream = NULL;
    ASSERT_OK(aclrtCreateStream(&stream));
    queue_chain(slots, kTasks, 42, stream);
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_EQ(count_equal(slots, kTasks + 1, 42), kTasks + 1);
    queue_chain(slots, kTasks, 43, NULL); /* the default stream as well */
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_EQ(count_equal(slots, kTasks + 1, 43), kTasks + 1);
    EXPECT_OK(aclrtDestroyStream(stream));
    free(slots);
}

struct Worker {
    aclrtContext context;
    int32_t value;
    int32_t *slots;
    int use_default_stream;
};

enum { kThreadTasks = 3000 };

static void *stream_worker(void *arg) {
    struct Worker *w = (struct Worker *)arg;
    aclrtStream stream = NULL;
    EXPECT_OK(aclrtSetCurrentContext(w->context));
    if (!w->use_default_stream) EXPECT_OK(aclrtCreateStream(&stream));
    queue_chain(w->slots, kThreadTasks, w->value, stream);
    EXPECT_OK(aclrtSynchronizeStream(stream));
    if (stream) EXPECT_OK(aclrtDestroyStream(stream));
    return NULL;
}

static void test_streams_in_two_threads(void) {
    struct Worker w[3];
    pthread_t threads[3];
    aclrtContext context = NULL;
    int i;
    ASSERT_OK(aclrtGetCurrentContext(&context));
    for (i = 0; i < 3; ++i) {
        w[i].context = context;
        w[i].value = 100 + i;
        w[i].slots = (int32_t *)calloc(kThreadTasks + 1, sizeof(int32_t));
        w[i].use_default_stream = i == 2; /* one thread on the shared default stream */
        pthread_create(&threads[i], NULL, stream_worker, &w[i]);
    }
    for (i = 0; i < 3; ++i) pthread_join(threads[i], NULL);
    for (i = 0; i < 3; ++i) {
        EXPECT_EQ(count_equal(w[i].slots, kThreadTasks + 1, 100 + i), kThreadTasks + 1);
        free(w[i].slots);
    }
}

static void test_event_misuse(void) {
    aclrtEvent event = NULL, dead = NULL;
    aclrtEventStatus status = ACL_EVENT_STATUS_RESERVED;
    aclrtStream bogus = (aclrtStream)(uintptr_t)0x5678;
    float ms = -1.0f;
    EXPECT_EQ(aclrtCreateEvent(NULL), ACL_ERROR_INVALID_PARAM);
    ASSERT_OK(aclrtCreateEvent(&event));
    ASSERT_OK(aclrtCreateEvent(&dead));
    EXPECT_TRUE(event != dead);
    EXPECT_OK(aclrtDestroyEvent(dead));
    EXPECT_EQ(aclrtDestroyEvent(dead), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyEvent(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtRecordEvent(NULL, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtRecordEvent(dead, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtRecordEvent(event, bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtResetEvent(NULL, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtResetEvent(event, bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtQueryEvent(event, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtQueryEvent(NULL, &status), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtQueryEvent(dead, &status), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSynchronizeEvent(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSynchronizeEvent(dead), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtStreamWaitEvent(NULL, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtStreamWaitEvent(bogus, event), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtStreamWaitEvent(NULL, dead), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtEventElapsedTime(NULL, event, event), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtEventElapsedTime(&ms, NULL, event), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtEventElapsedTime(&ms, event, dead), ACL_ERROR_INVALID_PARAM);
    /* never recorded: complete (CUDA-like), but it has no timestamp */
    EXPECT_OK(aclrtQueryEvent(event, &status));
    EXPECT_EQ(status, ACL_EVENT_STATUS_COMPLETE);
    EXPECT_OK(aclrtSynchronizeEvent(event));
    EXPECT_EQ(aclrtEventElapsedTime(&ms, event, event), ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
    EXPECT_TRUE(ms == -1.0f);
    EXPECT_OK(aclrtDestroyEvent(event));
}

static void test_event_timing(void) {
    unsigned char *big = (unsigned char *)malloc(kBig);
    aclrtStream stream = NULL;
    aclrtEvent start = NULL, end = NULL;
    aclrtEventStatus status = ACL_EVENT_STATUS_RESERVED;
    float ms = -1.0f, back = 0.0f;
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtCreateEvent(&start));
    ASSERT_OK(aclrtCreateEvent(&end));
    EXPECT_OK(aclrtRecordEvent(start, stream));
    EXPECT_OK(aclrtMemsetAsync(big, kBig, 3, kBig, stream));
    EXPECT_OK(aclrtMemsetAsync(big, kBig, 4, kBig, stream));
    EXPECT_OK(aclrtRecordEvent(end, stream));
    EXPECT_OK(aclrtSynchronizeEvent(end)); /* waits for everything queued before the record */
    EXPECT_EQ(big[kBig - 1], 4);
    EXPECT_OK(aclrtQueryEvent(end, &status));
    EXPECT_EQ(status, ACL_EVENT_STATUS_COMPLETE);
    EXPECT_OK(aclrtEventElapsedTime(&ms, start, end));
    EXPECT_TRUE(ms > 0.0f && ms < 60000.0f);
    EXPECT_EQ(aclrtEventElapsedTime(&back, end, start), ACL_ERROR_RT_EVENT_TIMESTAMP_REVERSAL);
    /* reset (as a stream task): back to "never recorded" */
    EXPECT_OK(aclrtResetEvent(end, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_OK(aclrtQueryEvent(end, &status));
    EXPECT_EQ(status, ACL_EVENT_STATUS_COMPLETE);
    EXPECT_EQ(aclrtEventElapsedTime(&ms, start, end), ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
    /* the default stream records too */
    EXPECT_OK(aclrtRecordEvent(end, NULL));
    EXPECT_OK(aclrtSynchronizeEvent(end));
    EXPECT_OK(aclrtEventElapsedTime(&ms, start, end));
    EXPECT_OK(aclrtDestroyEvent(start));
    EXPECT_OK(aclrtDestroyEvent(end));
    EXPECT_OK(aclrtDestroyStream(stream));
    free(big);
}

static void hold_stream(void *flag) { *(int *)flag = 1; }

/* A stream held by a BLOCK callback that this thread has not processed yet: the event queued
 * behind it is deterministically not ready. */
static void test_event_not_ready_until_stream_gets_there(void) {
    aclrtStream stream = NULL;
    aclrtEvent event = NULL, start = NULL;
    aclrtEventStatus status = ACL_EVENT_STATUS_RESERVED;
    uint64_t self = (uint64_t)pthread_self();
    int ran = 0;
    float ms = 0.0f;
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtCreateEvent(&event));
    ASSERT_OK(aclrtCreateEvent(&start));
    ASSERT_OK(aclrtSubscribeReport(self, stream));
    EXPECT_OK(aclrtRecordEvent(start, stream));
    EXPECT_OK(aclrtLaunchCallback(hold_stream, &ran, ACL_CALLBACK_BLOCK, stream));
    EXPECT_OK(aclrtRecordEvent(event, stream));
    EXPECT_OK(aclrtQueryEvent(event, &status));
    EXPECT_EQ(status, ACL_EVENT_STATUS_NOT_READY);
    EXPECT_EQ(aclrtEventElapsedTime(&ms, start, event), ACL_ERROR_RT_EVENT_NOT_COMPLETE);
    EXPECT_OK(aclrtProcessReport(10000)); /* releases the stream */
    EXPECT_EQ(ran, 1);
    EXPECT_OK(aclrtSynchronizeEvent(event));
    EXPECT_OK(aclrtQueryEvent(event, &status));
    EXPECT_EQ(status, ACL_EVENT_STATUS_COMPLETE);
    EXPECT_OK(aclrtEventElapsedTime(&ms, start, event));
    EXPECT_TRUE(ms >= 0.0f);
    EXPECT_OK(aclrtUnSubscribeReport(self, stream));
    EXPECT_OK(aclrtDestroyEvent(event));
    EXPECT_OK(aclrtDestroyEvent(start));
    EXPECT_OK(aclrtDestroyStream(stream));
}

/* s2 copies what s1 writes; the wait orders it after s1's writes. Repeated because without the
 * wait the copy would usually read the old value. */
static void test_events_order_streams(void) {
    unsigned char *big = (unsigned char *)calloc(kBig, 1);
    unsigned char copied[16];
    aclrtStream s1 = NULL, s2 = NULL;
    aclrtEvent written = NULL;
    int round;
    ASSERT_OK(aclrtCreateStream(&s1));
    ASSERT_OK(aclrtCreateStream(&s2));
    ASSERT_OK(aclrtCreateEvent(&written));
    for (round = 1; round <= 5; ++round) {
        memset(copied, 0, sizeof(copied));
        EXPECT_OK(aclrtMemsetAsync(big, kBig, round, kBig, s1));
        EXPECT_OK(aclrtRecordEvent(written, s1));
        EXPECT_OK(aclrtStreamWaitEvent(s2, written));
        EXPECT_OK(aclrtMemcpyAsync(copied, sizeof(copied), big + kBig - 16, 16, ACL_MEMCPY_DEVICE_TO_HOST, s2));
        EXPECT_OK(aclrtSynchronizeStream(s2));
        EXPECT_EQ(copied[0], round);
        EXPECT_EQ(copied[15], round);
        EXPECT_OK(aclrtSynchronizeStream(s1));
    }
    /* a wait on an event that was never recorded does not block */
    EXPECT_OK(aclrtResetEvent(written, s1));
    EXPECT_OK(aclrtSynchronizeStream(s1));
    EXPECT_OK(aclrtStreamWaitEvent(s2, written));
    EXPECT_OK(aclrtSynchronizeStream(s2));
    EXPECT_OK(aclrtDestroyEvent(written));
    EXPECT_OK(aclrtDestroyStream(s1));
    EXPECT_OK(aclrtDestroyStream(s2));
    free(big);
}

/* Destroying an event while a stream still has to record it is safe. */
static void test_destroy_event_with_pending_record(void) {
    unsigned char *big = (unsigned char *)malloc(kBig);
    aclrtStream stream = NULL;
    aclrtEvent event = NULL;
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtCreateEvent(&event));
    EXPECT_OK(aclrtMemsetAsync(big, kBig, 1, kBig, stream));
    EXPECT_OK(aclrtRecordEvent(event, stream));
    EXPECT_OK(aclrtDestroyEvent(event));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_OK(aclrtDestroyStream(stream));
    free(big);
}

/* Destroying a stream with queued work waits for it. */
static void test_destroy_waits_for_queued_tasks(void) {
    unsigned char *big = (unsigned char *)calloc(kBig, 1);
    aclrtStream stream = NULL;
    int i;
    ASSERT_OK(aclrtCreateStream(&stream));
    for (i = 1; i <= 5; ++i) EXPECT_OK(aclrtMemsetAsync(big, kBig, i, kBig, stream));
    EXPECT_OK(aclrtDestroyStream(stream));
    EXPECT_EQ(big[kBig - 1], 5);
    free(big);
}

int main(void) {
    if (capi_test_open_device() != 0) return 1;
    RUN(test_create_destroy);
    RUN(test_in_order_past_the_queue_bound);
    RUN(test_streams_in_two_threads);
    RUN(test_event_misuse);
    RUN(test_event_timing);
    RUN(test_event_not_ready_until_stream_gets_there);
    RUN(test_events_order_streams);
    RUN(test_destroy_event_with_pending_record);
    RUN(test_destroy_waits_for_queued_tasks);
    EXPECT_OK(aclrtResetDevice(0));
    EXPECT_OK(aclFinalize());
    return capi_test_summary();
}
