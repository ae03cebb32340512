/* Devices and contexts (spec §4.4, §4.5): device ids, open counts, default contexts, per-thread
 * current context, the §4.5 leniency, aclrtSynchronizeDevice. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>

#include "capi_test.h"

enum { kBufferSize = 1 << 20 };

/* Runs `fn(arg)` on a new thread and waits for it. */
static void on_new_thread(void *(*fn)(void *), void *arg) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, fn, arg) != 0) {
        EXPECT_TRUE(!"pthread_create failed");
        return;
    }
    pthread_join(thread, NULL);
}

static void test_device_queries(void) {
    uint32_t count = 0;
    aclrtRunMode mode = ACL_DEVICE;
    EXPECT_OK(aclrtGetDeviceCount(&count));
    if (getenv("KILN_ACL_DEVICE_COUNT") == NULL) EXPECT_EQ(count, 1);
    EXPECT_EQ(aclrtGetDeviceCount(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtGetRunMode(&mode));
    if (getenv("KILN_ACL_RUN_MODE") == NULL) EXPECT_EQ(mode, ACL_HOST);
    EXPECT_EQ(aclrtGetRunMode(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtSetTsDevice(ACL_TS_ID_AICORE));
    EXPECT_OK(aclrtSetTsDevice(ACL_TS_ID_AIVECTOR));
    EXPECT_EQ(aclrtSetTsDevice(ACL_TS_ID_RESERVED), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetTsDevice((aclrtTsId)7), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetTsDevice((aclrtTsId)-1), ACL_ERROR_INVALID_PARAM);
}

static void test_bad_device_ids(void) {
    aclrtContext context = NULL;
    EXPECT_EQ(aclrtSetDevice(-1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtSetDevice(1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtSetDevice(INT32_MAX), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtResetDevice(-1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtResetDevice(1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtCreateContext(&context, 1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtCreateContext(&context, -3), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtCreateContext(NULL, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(context == NULL);
    EXPECT_OK(aclrtResetDevice(0)); /* not open: a no-op */
}

static void *expect_no_context(void *unused) {
    aclrtContext context = NULL;
    int32_t device = -1;
    aclrtStream stream = NULL;
    EXPECT_EQ(aclrtGetCurrentContext(&context), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtGetDevice(&device), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtCreateStream(&stream), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSynchronizeStream(NULL), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSynchronizeDevice(), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtGetCurrentContext(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetDevice(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(context == NULL && device == -1 && stream == NULL);
    return NULL;
}

static void test_no_device_no_context(void) {
    expect_no_context(NULL);
    on_new_thread(expect_no_context, NULL);
}

static void test_default_context_and_open_count(void) {
    aclrtContext first = NULL, again = NULL, current = NULL;
    aclrtStream stream = NULL;
    int32_t device = -1;
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtGetCurrentContext(&first));
    EXPECT_TRUE(first != NULL);
    EXPECT_OK(aclrtGetDevice(&device));
    EXPECT_EQ(device, 0);
    EXPECT_EQ(aclrtDestroyContext(first), ACL_ERROR_INVALID_PARAM); /* a default context */
    ASSERT_OK(aclrtSetDevice(0)); /* open count 2, same default context */
    ASSERT_OK(aclrtGetCurrentContext(&again));
    EXPECT_TRUE(again == first);
    EXPECT_OK(aclrtResetDevice(0)); /* open count 1: still usable */
    EXPECT_OK(aclrtGetCurrentContext(&current));
    EXPECT_TRUE(current == first);
    EXPECT_OK(aclrtCreateStream(&stream));
    EXPECT_OK(aclrtResetDevice(0)); /* closed: default context and the stream are gone */
    EXPECT_EQ(aclrtGetCurrentContext(&current), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSetCurrentContext(first), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyStream(stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtResetDevice(0)); /* already closed */
    ASSERT_OK(aclrtSetDevice(0)); /* reopening makes a new default context */
    EXPECT_OK(aclrtGetCurrentContext(&current));
    EXPECT_TRUE(current != NULL && current != first);
    EXPECT_OK(aclrtResetDevice(0));
}

static void test_contexts(void) {
    aclrtContext c1 = NULL, c2 = NULL, current = NULL;
    aclrtStream stream = NULL;
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtCreateContext(&c1, 0));
    EXPECT_OK(aclrtGetCurrentContext(&current));
    EXPECT_TRUE(current == c1);
    ASSERT_OK(aclrtCreateContext(&c2, 0));
    EXPECT_TRUE(c1 != c2);
    EXPECT_OK(aclrtGetCurrentContext(&current));
    EXPECT_TRUE(current == c2);
    EXPECT_OK(aclrtSetCurrentContext(c1));
    EXPECT_OK(aclrtGetCurrentContext(&current));
    EXPECT_TRUE(current == c1);
    ASSERT_OK(aclrtCreateStream(&stream)); /* belongs to c1 */
    EXPECT_OK(aclrtDestroyContext(c1));    /* destroys the stream too */
    EXPECT_EQ(aclrtGetCurrentContext(&current), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtDestroyStream(stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyContext(c1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetCurrentContext(c1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyContext(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetCurrentContext(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetCurrentContext((aclrtContext)(uintptr_t)0x1234), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyContext((aclrtContext)(uintptr_t)0x1234), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtSetCurrentContext(c2));
    EXPECT_OK(aclrtDestroyContext(c2));
    EXPECT_OK(aclrtResetDevice(0));
}

struct ThreadContexts {
    aclrtContext set;  /* bound by the thread */
    aclrtContext seen; /* what it reads back */
    aclError get_before;
};

static void *bind_on_thread(void *arg) {
    struct ThreadContexts *t = (struct ThreadContexts *)arg;
    aclrtContext none = NULL;
    t->get_before = aclrtGetCurrentContext(&none); /* a new thread has none of its own */
    EXPECT_OK(aclrtSetCurrentContext(t->set));
    EXPECT_OK(aclrtGetCurrentContext(&t->seen));
    return NULL;
}

static void test_current_context_is_per_thread(void) {
    aclrtContext c1 = NULL, c2 = NULL, current = NULL;
    struct ThreadContexts t;
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtCreateContext(&c1, 0));
    ASSERT_OK(aclrtCreateContext(&c2, 0)); /* current here: c2 */
    t.set = c1;
    t.seen = NULL;
    on_new_thread(bind_on_thread, &t);
    EXPECT_EQ(t.get_before, ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_TRUE(t.seen == c1);
    EXPECT_OK(aclrtGetCurrentContext(&current));
    EXPECT_TRUE(current == c2); /* unchanged by the other thread */
    EXPECT_OK(aclrtDestroyContext(c1));
    EXPECT_OK(aclrtDestroyContext(c2));
    EXPECT_OK(aclrtResetDevice(0));
}

struct Lenient {
    aclrtContext device_default;
    aclrtContext bound;
    int32_t device;
    unsigned char *buffer;
};

static void *lenient_thread(void *arg) {
    struct Lenient *l = (struct Lenient *)arg;
    aclrtStream stream = NULL;
    /* no aclrtSetCurrentContext: exactly one device is open, so its default context is used */
    EXPECT_OK(aclrtCreateStream(&stream));
    EXPECT_OK(aclrtMemsetAsync(l->buffer, kBufferSize, 7, kBufferSize, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_OK(aclrtMemsetAsync(l->buffer, 16, 9, 16, NULL)); /* the default stream */
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_OK(aclrtDestroyStream(stream));
    EXPECT_OK(aclrtGetCurrentContext(&l->bound));
    EXPECT_OK(aclrtGetDevice(&l->device));
    return NULL;
}

static void test_single_device_leniency(void) {
    struct Lenient l;
    l.bound = NULL;
    l.device = -1;
    l.buffer = (unsigned char *)calloc(kBufferSize, 1);
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtGetCurrentContext(&l.device_default));
    on_new_thread(lenient_thread, &l);
    EXPECT_TRUE(l.bound == l.device_default);
    EXPECT_EQ(l.device, 0);
    EXPECT_EQ(l.buffer[0], 9);
    EXPECT_EQ(l.buffer[16], 7);
    EXPECT_EQ(l.buffer[kBufferSize - 1], 7);
    EXPECT_OK(aclrtResetDevice(0));
    on_new_thread(expect_no_context, NULL); /* device closed: no leniency */
    free(l.buffer);
}

static void test_create_context_opens_device(void) {
    aclrtContext context = NULL;
    aclrtStream stream = NULL;
    int32_t device = -1;
    ASSERT_OK(aclrtCreateContext(&context, 0)); /* no aclrtSetDevice before */
    EXPECT_OK(aclrtGetDevice(&device));
    EXPECT_EQ(device, 0);
    EXPECT_OK(aclrtCreateStream(&stream));
    EXPECT_OK(aclrtDestroyStream(stream));
    EXPECT_OK(aclrtDestroyContext(context));
    EXPECT_OK(aclrtResetDevice(0));
    expect_no_context(NULL);
}

static void test_synchronize_device(void) {
    unsigned char *a = (unsigned char *)calloc(kBufferSize, 1), *b = (unsigned char *)calloc(kBufferSize, 1);
    unsigned char *c = (unsigned char *)calloc(kBufferSize, 1);
    aclrtContext other = NULL, main_context = NULL;
    aclrtStream s1 = NULL, s2 = NULL;
    int i;
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtGetCurrentContext(&main_context));
    ASSERT_OK(aclrtCreateStream(&s1));
    ASSERT_OK(aclrtCreateContext(&other, 0));
    ASSERT_OK(aclrtCreateStream(&s2)); /* in the other context of the same device */
    ASSERT_OK(aclrtSetCurrentContext(main_context));
    for (i = 1; i <= 10; ++i) {
        EXPECT_OK(aclrtMemsetAsync(a, kBufferSize, i, kBufferSize, s1));
        EXPECT_OK(aclrtMemsetAsync(b, kBufferSize, 20 + i, kBufferSize, s2));
        EXPECT_OK(aclrtMemsetAsync(c, kBufferSize, 40 + i, kBufferSize, NULL));
    }
    EXPECT_OK(aclrtSynchronizeDevice());
    EXPECT_EQ(a[kBufferSize - 1], 10);
    EXPECT_EQ(b[kBufferSize - 1], 30);
    EXPECT_EQ(c[kBufferSize - 1], 50);
    EXPECT_OK(aclrtDestroyStream(s1));
    EXPECT_OK(aclrtDestroyStream(s2));
    EXPECT_OK(aclrtDestroyContext(other));
    EXPECT_OK(aclrtResetDevice(0));
    free(a);
    free(b);
    free(c);
}

static void test_reset_device_drains_streams(void) {
    unsigned char *a = (unsigned char *)calloc(kBufferSize, 1);
    aclrtStream stream = NULL;
    int i;
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtCreateStream(&stream));
    for (i = 1; i <= 10; ++i) EXPECT_OK(aclrtMemsetAsync(a, kBufferSize, i, kBufferSize, stream));
    EXPECT_OK(aclrtResetDevice(0)); /* waits for the queued tasks, then destroys the stream */
    EXPECT_EQ(a[kBufferSize - 1], 10);
    EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_ERROR_INVALID_PARAM);
    free(a);
}

int main(void) {
    if (aclInit(NULL) != ACL_SUCCESS) return 1;
    RUN(test_device_queries);
    RUN(test_bad_device_ids);
    RUN(test_no_device_no_context);
    RUN(test_default_context_and_open_count);
    RUN(test_contexts);
    RUN(test_current_context_is_per_thread);
    RUN(test_single_device_leniency);
    RUN(test_create_context_opens_device);
    RUN(test_synchronize_device);
    RUN(test_reset_device_drains_streams);
    EXPECT_OK(aclFinalize());
    return capi_test_summary();
}
