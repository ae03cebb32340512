/* Callback tasks and report threads (spec §4.8, §7.3, §7.4): argument checks, subscription
 * misuse, timeouts, BLOCK ordering against later tasks, NO_BLOCK, one thread serving two streams,
 * unsubscription releasing a held stream, and the async sample's exact sequences (C++: the
 * report thread exits before the unsubscription; Python: it is still looping). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "capi_test.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static uint64_t self_id(void) { return (uint64_t)pthread_self(); }

static void count_call(void *counter) { ++*(int *)counter; }

static void test_process_report_arguments(void) {
    double start;
    EXPECT_EQ(aclrtProcessReport(0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtProcessReport(-2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtProcessReport(INT32_MIN), ACL_ERROR_INVALID_PARAM);
    /* not subscribed: 107012 after a short pause (also with "wait forever") */
    start = now_ms();
    EXPECT_EQ(aclrtProcessReport(1000), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    EXPECT_EQ(aclrtProcessReport(-1), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    EXPECT_TRUE(now_ms() - start < 900.0);
}

static void test_launch_and_subscribe_misuse(void) {
    aclrtStream stream = NULL, dead = NULL;
    aclrtStream bogus = (aclrtStream)(uintptr_t)0x4321;
    int counter = 0;
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtCreateStream(&dead));
    ASSERT_OK(aclrtDestroyStream(dead));
    EXPECT_EQ(aclrtLaunchCallback(count_call, &counter, ACL_CALLBACK_BLOCK, stream), ACL_ERROR_RT_STREAM_NO_CB_REG);
    EXPECT_EQ(aclrtLaunchCallback(count_call, &counter, ACL_CALLBACK_BLOCK, NULL), ACL_ERROR_RT_STREAM_NO_CB_REG);
    EXPECT_EQ(aclrtSubscribeReport(self_id(), bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSubscribeReport(self_id(), dead), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtUnSubscribeReport(self_id(), stream), ACL_ERROR_RT_STREAM_SUBSCRIBE); /* not subscribed */
    ASSERT_OK(aclrtSubscribeReport(self_id(), stream));
    EXPECT_EQ(aclrtSubscribeReport(self_id(), stream), ACL_ERROR_RT_STREAM_SUBSCRIBE);
    EXPECT_EQ(aclrtSubscribeReport(self_id() + 1, stream), ACL_ERROR_RT_STREAM_SUBSCRIBE); /* one thread per stream */
    EXPECT_EQ(aclrtLaunchCallback(NULL, &counter, ACL_CALLBACK_BLOCK, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtLaunchCallback(count_call, &counter, (aclrtCallbackBlockType)2, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtLaunchCallback(count_call, &counter, (aclrtCallbackBlockType)-1, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtLaunchCallback(count_call, &counter, ACL_CALLBACK_BLOCK, bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtUnSubscribeReport(self_id() + 1, stream), ACL_ERROR_RT_STREAM_SUBSCRIBE); /* wrong thread */
    EXPECT_EQ(aclrtUnSubscribeReport(self_id(), bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtUnSubscribeReport(self_id(), stream));
    EXPECT_EQ(aclrtUnSubscribeReport(self_id(), stream), ACL_ERROR_RT_STREAM_SUBSCRIBE); /* twice */
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_EQ(counter, 0);
    EXPECT_OK(aclrtDestroyStream(stream));
}

static void test_timeout_without_reports(void) {
    aclrtStream stream = NULL;
    double start;
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtSubscribeReport(self_id(), stream));
    start = now_ms();
    EXPECT_EQ(aclrtProcessReport(30), ACL_ERROR_RT_REPORT_TIMEOUT);
    EXPECT_TRUE(now_ms() - start >= 29.0);
    EXPECT_OK(aclrtUnSubscribeReport(self_id(), stream));
    EXPECT_OK(aclrtDestroyStream(stream));
}

/* A report thread like the samples': binds the context, loops until told to stop. */
struct Reporter {
    aclrtContext context;
    int timeout_ms;
    volatile int exit_flag;
    int processed, timeouts, unsubscribed, other;
    pthread_t thread;
};

static void *report_loop(void *arg) {
    struct Reporter *r = (struct Reporter *)arg;
    aclrtSetCurrentContext(r->context);
    while (!r->exit_flag) {
        aclError ret = aclrtProcessReport(r->timeout_ms);
        if (ret == ACL_SUCCESS) ++r->processed;
        else if (ret == ACL_ERROR_RT_REPORT_TIMEOUT) ++r->timeouts;
        else if (ret == ACL_ERROR_RT_THREAD_SUBSCRIBE) ++r->unsubscribed;
        else ++r->other;
    }
    return NULL;
}

static int start_reporter(struct Reporter *r, int timeout_ms) {
    memset(r, 0, sizeof(*r));
    r->timeout_ms = timeout_ms;
    if (aclrtGetCurrentContext(&r->context) != ACL_SUCCESS) return 0;
    return pthread_create(&r->thread, NULL, report_loop, r) == 0;
}

static void stop_reporter(struct Reporter *r) {
    r->exit_flag = 1;
    pthread_join(r->thread, NULL);
}

struct Ordering {
    unsigned char *buffer;  /* written by the stream before the callback */
    int32_t seen;           /* what the callback saw */
    int32_t marker;         /* written by the callback, copied by a later task */
    int32_t copied;         /* where the later task copies `marker` */
    pthread_t ran_on;
    int calls;
};

enum { kBuffer = 8 << 20 };

static void ordering_callback(void *arg) {
    struct Ordering *o = (struct Ordering *)arg;
    o->seen = o->buffer[kBuffer - 1];
    o->ran_on = pthread_self();
    o->marker = 1000 + o->seen;
    ++o->calls;
}

static void test_block_callback_orders_later_tasks(void) {
    struct Reporter r;
    struct Ordering o;
    aclrtStream stream = NULL;
    int round;
    memset(&o, 0, sizeof(o));
    o.buffer = (unsigned char *)calloc(kBuffer, 1);
    ASSERT_OK(aclrtCreateStream(&stream));
    if (!start_reporter(&r, 100)) {
        EXPECT_TRUE(!"reporter thread");
        return;
    }
    ASSERT_OK(aclrtSubscribeReport((uint64_t)r.thread, stream));
    for (round = 1; round <= 20; ++round) {
        EXPECT_OK(aclrtMemsetAsync(o.buffer, kBuffer, round, kBuffer, stream));
        EXPECT_OK(aclrtLaunchCallback(ordering_callback, &o, ACL_CALLBACK_BLOCK, stream));
        EXPECT_OK(aclrtMemcpyAsync(&o.copied, sizeof(o.copied), &o.marker, sizeof(o.marker),
                                   ACL_MEMCPY_DEVICE_TO_HOST, stream));
        EXPECT_OK(aclrtSynchronizeStream(stream));
        EXPECT_EQ(o.calls, round);       /* synchronize waited for the callback */
        EXPECT_EQ(o.seen, round);        /* the callback ran after the earlier task */
        EXPECT_EQ(o.copied, 1000 + round); /* the later task ran after the callback */
        EXPECT_TRUE(pthread_equal(o.ran_on, r.thread));
    }
    stop_reporter(&r);
    EXPECT_OK(aclrtUnSubscribeReport((uint64_t)r.thread, stream));
    EXPECT_EQ(r.processed, 20);
    EXPECT_EQ(r.other, 0);
    EXPECT_OK(aclrtDestroyStream(stream));
    free(o.buffer);
}

static void test_no_block_callbacks_run(void) {
    struct Reporter r;
    aclrtStream stream = NULL;
    int counter = 0, i;
    double deadline;
    ASSERT_OK(aclrtCreateStream(&stream));
    if (!start_reporter(&r, 50)) return;
    ASSERT_OK(aclrtSubscribeReport((uint64_t)r.thread, stream));
    for (i = 0; i < 10; ++i) EXPECT_OK(aclrtLaunchCallback(count_call, &counter, ACL_CALLBACK_NO_BLOCK, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream)); /* the reports are queued; they may still be running */
    deadline = now_ms() + 10000.0;
    while (r.processed < 10 && now_ms() < deadline) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL); /* bounded polling */
    }
    EXPECT_EQ(r.processed, 10);
    stop_reporter(&r);
    EXPECT_EQ(counter, 10);
    EXPECT_OK(aclrtUnSubscribeReport((uint64_t)r.thread, stream));
    EXPECT_OK(aclrtDestroyStream(stream));
}

static void test_one_thread_serves_two_streams_and_the_default_stream(void) {
    struct Reporter r;
    aclrtStream s1 = NULL, s2 = NULL;
    int c1 = 0, c2 = 0, c0 = 0, i;
    ASSERT_OK(aclrtCreateStream(&s1));
    ASSERT_OK(aclrtCreateStream(&s2));
    if (!start_reporter(&r, 50)) return;
    ASSERT_OK(aclrtSubscribeReport((uint64_t)r.thread, s1));
    ASSERT_OK(aclrtSubscribeReport((uint64_t)r.thread, s2));
    ASSERT_OK(aclrtSubscribeReport((uint64_t)r.thread, NULL));
    for (i = 0; i < 25; ++i) {
        EXPECT_OK(aclrtLaunchCallback(count_call, &c1, ACL_CALLBACK_BLOCK, s1));
        EXPECT_OK(aclrtLaunchCallback(count_call, &c2, ACL_CALLBACK_BLOCK, s2));
        EXPECT_OK(aclrtLaunchCallback(count_call, &c0, ACL_CALLBACK_BLOCK, NULL));
    }
    EXPECT_OK(aclrtSynchronizeStream(s1));
    EXPECT_OK(aclrtSynchronizeStream(s2));
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_EQ(c1, 25);
    EXPECT_EQ(c2, 25);
    EXPECT_EQ(c0, 25);
    EXPECT_OK(aclrtUnSubscribeReport((uint64_t)r.thread, s1));
    EXPECT_OK(aclrtUnSubscribeReport((uint64_t)r.thread, NULL));
    EXPECT_OK(aclrtDestroyStream(s2)); /* removes the remaining subscription */
    stop_reporter(&r);
    EXPECT_EQ(r.other, 0);
    EXPECT_OK(aclrtDestroyStream(s1));
}

/* A BLOCK callback for a thread that never processes reports holds the stream until the
 * unsubscription drops the report; later tasks then run. */
static void test_unsubscribe_releases_held_stream(void) {
    aclrtStream stream = NULL;
    unsigned char bytes[8];
    int counter = 0;
    const uint64_t nobody = 12345; /* no such thread: never validated */
    memset(bytes, 0, sizeof(bytes));
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtSubscribeReport(nobody, stream));
    EXPECT_OK(aclrtLaunchCallback(count_call, &counter, ACL_CALLBACK_BLOCK, stream));
    EXPECT_OK(aclrtLaunchCallback(count_call, &counter, ACL_CALLBACK_BLOCK, stream));
    EXPECT_OK(aclrtMemsetAsync(bytes, sizeof(bytes), 6, sizeof(bytes), stream));
    EXPECT_OK(aclrtUnSubscribeReport(nobody, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_EQ(counter, 0);
    EXPECT_EQ(bytes[7], 6);
    EXPECT_OK(aclrtDestroyStream(stream));
}

struct Waiter {
    aclrtStream stream;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int subscribed;
    aclError result;
};

static void *wait_forever(void *arg) {
    struct Waiter *w = (struct Waiter *)arg;
    aclError sub = aclrtSubscribeReport(self_id(), w->stream);
    pthread_mutex_lock(&w->mutex);
    w->subscribed = sub == ACL_SUCCESS ? 1 : -1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mutex);
    w->result = aclrtProcessReport(-1);
    return NULL;
}

/* A thread waiting forever returns 107012 once its last subscription goes away. */
static void test_unsubscribe_wakes_waiting_thread(void) {
    struct Waiter w;
    pthread_t thread;
    memset(&w, 0, sizeof(w));
    pthread_mutex_init(&w.mutex, NULL);
    pthread_cond_init(&w.cond, NULL);
    ASSERT_OK(aclrtCreateStream(&w.stream));
    pthread_create(&thread, NULL, wait_forever, &w);
    pthread_mutex_lock(&w.mutex);
    while (w.subscribed == 0) pthread_cond_wait(&w.cond, &w.mutex);
    pthread_mutex_unlock(&w.mutex);
    EXPECT_EQ(w.subscribed, 1);
    EXPECT_OK(aclrtUnSubscribeReport((uint64_t)thread, w.stream));
    pthread_join(thread, NULL);
    EXPECT_EQ(w.result, ACL_ERROR_RT_THREAD_SUBSCRIBE);
    EXPECT_OK(aclrtDestroyStream(w.stream));
    pthread_mutex_destroy(&w.mutex);
    pthread_cond_destroy(&w.cond);
}

/* §7.4, C++: pool entries, an "execution" per entry (a copy stands in for aclmdlExecuteAsync),
 * a BLOCK callback every `interval` executions that uses the API and returns entries to the pool. */
enum { kExecutions = 100, kEntry = 4096 };

struct Pool {
    void *input[kExecutions];
    void *output[kExecutions];
    int checked, wrong, api_errors; /* written by the report thread only */
};

/* What the sample keeps in a map per callback: the executions since the previous callback. */
struct Batch {
    struct Pool *pool;
    int count;
    int index[kExecutions];
};

static void async_sample_callback(void *arg) {
    struct Batch *b = (struct Batch *)arg;
    struct Pool *p = b->pool;
    int i;
    for (i = 0; i < b->count; ++i) {
        int k = b->index[i];
        void *host = NULL;
        if (aclrtMallocHost(&host, kEntry) != ACL_SUCCESS) {
            ++p->api_errors;
            continue;
        }
        if (aclrtMemcpy(host, kEntry, p->output[k], kEntry, ACL_MEMCPY_DEVICE_TO_HOST) != ACL_SUCCESS) ++p->api_errors;
        if (((unsigned char *)host)[kEntry - 1] != (unsigned char)(k + 1)) ++p->wrong;
        ++p->checked;
        if (aclrtFreeHost(host) != ACL_SUCCESS) ++p->api_errors;
    }
    free(b); /* the sample deletes its map in the callback */
}

static void run_async_sample(int interval, int unsubscribe_while_looping) {
    struct Reporter r;
    struct Pool pool;
    struct Batch *batch;
    aclrtContext context = NULL;
    aclrtStream stream = NULL;
    int i;
    memset(&pool, 0, sizeof(pool));
    ASSERT_OK(aclrtCreateContext(&context, 0));
    ASSERT_OK(aclrtCreateStream(&stream));
    for (i = 0; i < kExecutions; ++i) {
        ASSERT_OK(aclrtMalloc(&pool.input[i], kEntry, ACL_MEM_MALLOC_HUGE_FIRST));
        ASSERT_OK(aclrtMalloc(&pool.output[i], kEntry, ACL_MEM_MALLOC_HUGE_FIRST));
        EXPECT_OK(aclrtMemset(pool.input[i], kEntry, i + 1, kEntry));
    }
    /* the thread starts looping before the subscription exists (107012 meanwhile) */
    if (!start_reporter(&r, 100)) return;
    if (interval == 0) r.exit_flag = 1; /* the sample's thread exits at once */
    ASSERT_OK(aclrtSubscribeReport((uint64_t)r.thread, stream));
    batch = (struct Batch *)calloc(1, sizeof(*batch));
    batch->pool = &pool;
    for (i = 0; i < kExecutions; ++i) {
        EXPECT_OK(aclrtMemcpyAsync(pool.output[i], kEntry, pool.input[i], kEntry, ACL_MEMCPY_DEVICE_TO_DEVICE, stream));
        if (interval == 0) continue;
        batch->index[batch->count++] = i;
        if ((i + 1) % interval == 0) { /* no synchronisation: callbacks run while we submit */
            EXPECT_OK(aclrtLaunchCallback(async_sample_callback, batch, ACL_CALLBACK_BLOCK, stream));
            batch = (struct Batch *)calloc(1, sizeof(*batch));
            batch->pool = &pool;
        }
    }
    free(batch);
    EXPECT_OK(aclrtSynchronizeStream(stream));
    if (unsubscribe_while_looping) {
        EXPECT_OK(aclrtUnSubscribeReport((uint64_t)r.thread, stream)); /* Python sample order */
        stop_reporter(&r);
    } else {
        stop_reporter(&r);
        EXPECT_OK(aclrtUnSubscribeReport((uint64_t)r.thread, stream)); /* after the thread exited */
    }
    EXPECT_EQ(pool.checked, interval == 0 ? 0 : kExecutions);
    EXPECT_EQ(pool.wrong, 0);
    EXPECT_EQ(pool.api_errors, 0);
    EXPECT_EQ(r.other, 0);
    EXPECT_EQ(r.processed, interval == 0 ? 0 : kExecutions / interval);
    for (i = 0; i < kExecutions; ++i) {
        EXPECT_OK(aclrtFree(pool.input[i]));
        EXPECT_OK(aclrtFree(pool.output[i]));
    }
    EXPECT_OK(aclrtDestroyStream(stream));
    EXPECT_OK(aclrtDestroyContext(context));
}

static void test_async_sample_cpp_interval_1(void) { run_async_sample(1, 0); }
static void test_async_sample_cpp_interval_10(void) { run_async_sample(10, 0); }
static void test_async_sample_cpp_interval_0(void) { run_async_sample(0, 0); }
static void test_async_sample_python_order(void) { run_async_sample(5, 1); }

int main(void) {
    if (capi_test_open_device() != 0) return 1;
    RUN(test_process_report_arguments);
    RUN(test_launch_and_subscribe_misuse);
    RUN(test_timeout_without_reports);
    RUN(test_block_callback_orders_later_tasks);
    RUN(test_no_block_callbacks_run);
    RUN(test_one_thread_serves_two_streams_and_the_default_stream);
    RUN(test_unsubscribe_releases_held_stream);
    RUN(test_unsubscribe_wakes_waiting_thread);
    RUN(test_async_sample_cpp_interval_1);
    RUN(test_async_sample_cpp_interval_10);
    RUN(test_async_sample_cpp_interval_0);
    RUN(test_async_sample_python_order);
    EXPECT_OK(aclrtResetDevice(0));
    EXPECT_OK(aclFinalize());
    return capi_test_summary();
}
