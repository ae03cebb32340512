/* An application may exit without aclFinalize (error paths of the samples do) while streams
 * still hold work and a subscription exists: the process must exit cleanly (also under ASan). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>

#include "capi_test.h"

static void noop(void *unused) { (void)unused; }

static void test_exit_with_live_resources(void) {
    enum { kSize = 16 << 20 };
    static unsigned char buffer[kSize];
    aclrtStream stream = NULL;
    void *block = NULL;
    int i;
    ASSERT_OK(aclInit(NULL));
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtMalloc(&block, 1024, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_OK(aclrtSubscribeReport(12345, stream));
    EXPECT_OK(aclrtLaunchCallback(noop, NULL, ACL_CALLBACK_NO_BLOCK, stream));
    for (i = 0; i < 8; ++i) EXPECT_OK(aclrtMemsetAsync(buffer, kSize, i, kSize, stream));
}

int main(void) {
    RUN(test_exit_with_live_resources);
    return capi_test_summary(); /* no aclFinalize */
}
