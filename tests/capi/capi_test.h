/* A minimal test harness for the C API tests (tests/capi/test_*.c), which are compiled as C99 so
 * that they exercise the headers and libascendcl.so exactly as a C application does.
 *
 *   static void test_malloc(void) { void *p = NULL; EXPECT_EQ(aclrtMalloc(&p, 0, 0), ACL_ERROR_INVALID_PARAM); }
 *   int main(void) { RUN(test_malloc); return capi_test_summary(); }
 *
 * Models: the `capi_models` fixture writes small .om files into the folder named by the
 * environment variable KILN_CAPI_TEST_MODELS; capi_test_model("static.om") gives a path there. */
#ifndef KILN_TESTS_CAPI_TEST_H_
#define KILN_TESTS_CAPI_TEST_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

static int capi_test_failures = 0;
static int capi_test_checks = 0;
static const char *capi_test_current = "";

#define EXPECT_TRUE(cond)                                                                            \
    do {                                                                                             \
        ++capi_test_checks;                                                                          \
        if (!(cond)) {                                                                               \
            ++capi_test_failures;                                                                    \
            fprintf(stderr, "%s:%d: %s: expected %s\n", __FILE__, __LINE__, capi_test_current, #cond); \
        }                                                                                            \
    } while (0)

#define EXPECT_EQ(actual, expected)                                                                   \
    do {                                                                                              \
        long long capi_a_ = (long long)(actual), capi_e_ = (long long)(expected);                     \
        ++capi_test_checks;                                                                           \
        if (capi_a_ != capi_e_) {                                                                     \
            ++capi_test_failures;                                                                     \
            fprintf(stderr, "%s:%d: %s: %s is %lld, expected %s = %lld (last error: %s)\n", __FILE__, \
                    __LINE__, capi_test_current, #actual, capi_a_, #expected, capi_e_,                \
                    aclGetRecentErrMsg());                                                            \
        }                                                                                             \
    } while (0)

#define EXPECT_OK(call) EXPECT_EQ((call), ACL_SUCCESS)

/* Fails the current test and returns from it (for setup steps later checks depend on). */
#define ASSERT_OK(call)                                                                            \
    do {                                                                                           \
        aclError capi_r_ = (call);                                                                 \
        ++capi_test_checks;                                                                        \
        if (capi_r_ != ACL_SUCCESS) {                                                              \
            ++capi_test_failures;                                                                  \
            fprintf(stderr, "%s:%d: %s: %s returned %d (%s)\n", __FILE__, __LINE__, capi_test_current, \
                    #call, capi_r_, aclGetRecentErrMsg());                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define RUN(test)                                  \
    do {                                           \
        int capi_before_ = capi_test_failures;     \
        capi_test_current = #test;                 \
        test();                                    \
        fprintf(stderr, "[%s] %s\n", capi_test_failures == capi_before_ ? "  OK  " : "FAILED", #test); \
    } while (0)

static inline int capi_test_summary(void) {
    fprintf(stderr, "%d checks, %d failed\n", capi_test_checks, capi_test_failures);
    return capi_test_failures == 0 ? 0 : 1;
}

/* Path of a fixture model; the buffer is static (one path at a time). */
static inline const char *capi_test_model(const char *name) {
    static char path[4096];
    const char *dir = getenv("KILN_CAPI_TEST_MODELS");
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
    return path;
}

/* aclInit(NULL) + aclrtSetDevice(0) for tests that run under one open device; non-zero (after
 * printing why) when either fails. capi_test_close_device() undoes both. */
static inline int capi_test_open_device(void) {
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS) {
        fprintf(stderr, "aclInit/aclrtSetDevice failed: %s\n", aclGetRecentErrMsg());
        return 1;
    }
    return 0;
}

static inline void capi_test_close_device(void) {
    aclrtResetDevice(0);
    aclFinalize();
}

#endif /* KILN_TESTS_CAPI_TEST_H_ */
