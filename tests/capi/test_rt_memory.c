/* Memory (spec §4.7): aclrtMalloc / MallocHost / MallocCached / Free / FreeHost, Memcpy / Memset
 * and their stream-task variants, aclrtMemFlush / aclrtMemInvalidate. */
#include <stdint.h>

#include "capi_test.h"

static int all_bytes_are(const void *p, size_t n, unsigned char value) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; ++i) {
        if (b[i] != value) return 0;
    }
    return 1;
}

static void test_malloc_aligned_and_zeroed(void) {
    static const size_t sizes[] = {1, 64, 127, 128, 1000, 1 << 20};
    size_t i;
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i) {
        void *device = NULL, *host = NULL;
        ASSERT_OK(aclrtMalloc(&device, sizes[i], ACL_MEM_MALLOC_HUGE_FIRST));
        ASSERT_OK(aclrtMallocHost(&host, sizes[i]));
        EXPECT_EQ((uintptr_t)device % 128, 0);
        EXPECT_EQ((uintptr_t)host % 128, 0);
        EXPECT_TRUE(all_bytes_are(device, sizes[i], 0));
        EXPECT_TRUE(all_bytes_are(host, sizes[i], 0));
        memset(device, 0xEE, sizes[i]); /* the whole requested size is writable */
        memset(host, 0xEE, sizes[i]);
        EXPECT_OK(aclrtFree(device));
        EXPECT_OK(aclrtFreeHost(host));
    }
}

static void test_malloc_policies(void) {
    static const int policies[] = {0, 1, 2, 3, 4, 5, 6, 7, 0x100, 0x1000, 0x1001, 99};
    size_t i;
    for (i = 0; i < sizeof(policies) / sizeof(policies[0]); ++i) {
        void *p = NULL;
        EXPECT_OK(aclrtMalloc(&p, 256, (aclrtMemMallocPolicy)policies[i]));
        EXPECT_TRUE(p != NULL);
        EXPECT_OK(aclrtFree(p));
    }
}

static void test_malloc_misuse(void) {
    void *p = (void *)&p;
    EXPECT_EQ(aclrtMalloc(NULL, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMalloc(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocHost(NULL, 16), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocHost(&p, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocCached(NULL, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocCached(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(p == (void *)&p); /* untouched on failure */
    EXPECT_EQ(aclrtMalloc(&p, SIZE_MAX, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_MEMORY_ALLOCATION);
    EXPECT_EQ(aclrtMalloc(&p, (size_t)1 << 60, ACL_MEM_MALLOC_NORMAL_ONLY), ACL_ERROR_RT_MEMORY_ALLOCATION);
    EXPECT_EQ(aclrtMallocHost(&p, SIZE_MAX - 10), ACL_ERROR_RT_MEMORY_ALLOCATION);
    EXPECT_TRUE(p == (void *)&p);
}

static void test_free_misuse(void) {
    char on_stack[64];
    void *from_libc = malloc(64), *block = NULL;
    EXPECT_EQ(aclrtFree(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFreeHost(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFree(on_stack), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFreeHost(on_stack), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFree(from_libc), ACL_ERROR_INVALID_PARAM);
    free(from_libc);
    ASSERT_OK(aclrtMalloc(&block, 1024, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ(aclrtFree((char *)block + 128), ACL_ERROR_INVALID_PARAM); /* interior pointer */
    EXPECT_OK(aclrtFree(block));
    EXPECT_EQ(aclrtFree(block), ACL_ERROR_INVALID_PARAM); /* double free */
    EXPECT_EQ(aclrtFreeHost(block), ACL_ERROR_INVALID_PARAM);
}

static void test_cross_free(void) {
    void *host = NULL, *device = NULL;
    ASSERT_OK(aclrtMallocHost(&host, 500));
    ASSERT_OK(aclrtMalloc(&device, 500, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_OK(aclrtFree(host));       /* the dynamic-dims sample does this */
    EXPECT_OK(aclrtFreeHost(device)); /* and the other way round */
}

static void test_cached_and_cache_maintenance(void) {
    void *p = NULL;
    ASSERT_OK(aclrtMallocCached(&p, 300, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_EQ((uintptr_t)p % 128, 0);
    EXPECT_TRUE(all_bytes_are(p, 300, 0));
    EXPECT_OK(aclrtMemFlush(p, 300));
    EXPECT_OK(aclrtMemInvalidate(p, 300));
    EXPECT_EQ(aclrtMemFlush(NULL, 300), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemFlush(p, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemInvalidate(NULL, 300), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemInvalidate(p, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtFree(p));
}

static void test_memcpy_every_kind(void) {
    unsigned char app[256];
    void *device = NULL, *host = NULL;
    int kind, i;
    ASSERT_OK(aclrtMalloc(&device, 256, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_OK(aclrtMallocHost(&host, 256));
    for (kind = ACL_MEMCPY_HOST_TO_HOST; kind <= ACL_MEMCPY_DEVICE_TO_DEVICE; ++kind) {
        for (i = 0; i < 256; ++i) app[i] = (unsigned char)(i * 7 + kind);
        /* the kind is not checked against where the memory came from (spec §1) */
        EXPECT_OK(aclrtMemcpy(host, 256, app, 256, (aclrtMemcpyKind)kind));
        EXPECT_OK(aclrtMemcpy(device, 256, host, 256, (aclrtMemcpyKind)kind));
        memset(app, 0, sizeof(app));
        EXPECT_OK(aclrtMemcpy(app, sizeof(app), device, 256, (aclrtMemcpyKind)kind));
        for (i = 0; i < 256; ++i) {
            if (app[i] != (unsigned char)(i * 7 + kind)) break;
        }
        EXPECT_EQ(i, 256);
    }
    EXPECT_OK(aclrtFree(device));
    EXPECT_OK(aclrtFreeHost(host));
}

static void test_memcpy_misuse(void) {
    unsigned char src[16], dst[16];
    memset(src, 1, sizeof(src));
    memset(dst, 2, sizeof(dst));
    EXPECT_EQ(aclrtMemcpy(NULL, 16, src, 16, ACL_MEMCPY_HOST_TO_HOST), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(dst, 16, NULL, 16, ACL_MEMCPY_HOST_TO_HOST), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(dst, 15, src, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM); /* count > destMax */
    EXPECT_EQ(aclrtMemcpy(dst, 16, src, 16, (aclrtMemcpyKind)4), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(dst, 16, src, 16, (aclrtMemcpyKind)-1), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(all_bytes_are(dst, 16, 2)); /* nothing copied by a failing call */
    EXPECT_OK(aclrtMemcpy(dst, 16, src, 0, ACL_MEMCPY_HOST_TO_HOST)); /* count 0: nothing to do */
    EXPECT_OK(aclrtMemcpy(dst, 0, src, 0, ACL_MEMCPY_HOST_TO_HOST));
    EXPECT_TRUE(all_bytes_are(dst, 16, 2));
    EXPECT_OK(aclrtMemcpy(dst, 16, src, 10, ACL_MEMCPY_DEVICE_TO_HOST)); /* count < destMax */
    EXPECT_TRUE(all_bytes_are(dst, 10, 1) && all_bytes_are(dst + 10, 6, 2));
}

static void test_memcpy_overlapping(void) {
    char text[11] = "0123456789";
    EXPECT_OK(aclrtMemcpy(text + 2, 8, text, 8, ACL_MEMCPY_HOST_TO_HOST));
    EXPECT_EQ(strcmp(text, "0101234567"), 0);
    EXPECT_OK(aclrtMemcpy(text, 10, text + 3, 7, ACL_MEMCPY_DEVICE_TO_DEVICE));
    EXPECT_EQ(strcmp(text, "1234567567"), 0);
}

static void test_memset(void) {
    void *p = NULL;
    unsigned char *b;
    ASSERT_OK(aclrtMallocHost(&p, 100)); /* the dynamic-dims sample clears host memory with it */
    b = (unsigned char *)p;
    EXPECT_OK(aclrtMemset(p, 100, 0xAB, 60));
    EXPECT_TRUE(all_bytes_are(b, 60, 0xAB) && all_bytes_are(b + 60, 40, 0));
    EXPECT_OK(aclrtMemset(p, 100, 0x1FF, 100)); /* the value is taken as a byte */
    EXPECT_TRUE(all_bytes_are(b, 100, 0xFF));
    EXPECT_OK(aclrtMemset(p, 100, 3, 0));
    EXPECT_TRUE(all_bytes_are(b, 100, 0xFF));
    EXPECT_EQ(aclrtMemset(p, 50, 1, 51), ACL_ERROR_INVALID_PARAM); /* count > maxCount */
    EXPECT_EQ(aclrtMemset(NULL, 50, 1, 10), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(all_bytes_are(b, 100, 0xFF));
    EXPECT_OK(aclrtFree(p));
}

static void test_async_copies_in_order(void) {
    enum { kSize = 1 << 20 };
    aclrtStream stream = NULL;
    void *a = NULL, *b = NULL;
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtMalloc(&a, kSize, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_OK(aclrtMalloc(&b, kSize, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_OK(aclrtMemsetAsync(a, kSize, 7, kSize, stream));
    EXPECT_OK(aclrtMemcpyAsync(b, kSize, a, kSize, ACL_MEMCPY_DEVICE_TO_DEVICE, stream));
    EXPECT_OK(aclrtMemsetAsync(a, kSize, 9, kSize, stream));
    EXPECT_OK(aclrtMemsetAsync(b, kSize, 1, 10, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_TRUE(all_bytes_are(a, kSize, 9));
    EXPECT_TRUE(all_bytes_are(b, 10, 1));
    EXPECT_TRUE(all_bytes_are((char *)b + 10, kSize - 10, 7));
    /* the default stream */
    EXPECT_OK(aclrtMemsetAsync(a, kSize, 4, kSize, NULL));
    EXPECT_OK(aclrtMemcpyAsync(b, kSize, a, kSize, ACL_MEMCPY_HOST_TO_DEVICE, NULL));
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_TRUE(all_bytes_are(b, kSize, 4));
    EXPECT_OK(aclrtMemcpyAsync(b, kSize, a, 0, ACL_MEMCPY_HOST_TO_DEVICE, stream)); /* count 0 */
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_OK(aclrtDestroyStream(stream));
    EXPECT_OK(aclrtFree(a));
    EXPECT_OK(aclrtFree(b));
}

static void test_async_misuse(void) {
    unsigned char src[16], dst[16];
    aclrtStream stream = NULL, dead = NULL;
    aclrtStream bogus = (aclrtStream)(uintptr_t)0x99;
    memset(src, 1, sizeof(src));
    memset(dst, 2, sizeof(dst));
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtCreateStream(&dead));
    ASSERT_OK(aclrtDestroyStream(dead));
    EXPECT_EQ(aclrtMemcpyAsync(NULL, 16, src, 16, ACL_MEMCPY_HOST_TO_HOST, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(dst, 16, NULL, 16, ACL_MEMCPY_HOST_TO_HOST, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(dst, 8, src, 16, ACL_MEMCPY_HOST_TO_HOST, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(dst, 16, src, 16, (aclrtMemcpyKind)7, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(dst, 16, src, 16, ACL_MEMCPY_HOST_TO_HOST, bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(dst, 16, src, 16, ACL_MEMCPY_HOST_TO_HOST, dead), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemsetAsync(NULL, 16, 0, 16, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemsetAsync(dst, 15, 0, 16, stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemsetAsync(dst, 16, 0, 16, bogus), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemsetAsync(dst, 16, 0, 16, dead), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclrtSynchronizeStream(stream)); /* none of them was queued: no error recorded */
    EXPECT_TRUE(all_bytes_are(dst, 16, 2));
    EXPECT_OK(aclrtDestroyStream(stream));
}

int main(void) {
    if (capi_test_open_device() != 0) return 1;
    RUN(test_malloc_aligned_and_zeroed);
    RUN(test_malloc_policies);
    RUN(test_malloc_misuse);
    RUN(test_free_misuse);
    RUN(test_cross_free);
    RUN(test_cached_and_cache_maintenance);
    RUN(test_memcpy_every_kind);
    RUN(test_memcpy_misuse);
    RUN(test_memcpy_overlapping);
    RUN(test_memset);
    RUN(test_async_copies_in_order);
    RUN(test_async_misuse);
    EXPECT_OK(aclrtResetDevice(0));
    EXPECT_OK(aclFinalize());
    return capi_test_summary();
}
