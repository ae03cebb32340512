/* aclInit / aclFinalize / aclrtGetVersion / aclrtGetSocName and the acl.json rules (spec §4.1-§4.3).
 * The order of the tests matters: the first one runs before any aclInit. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <unistd.h>

#include "capi_test.h"

/* Writes `text` to a fresh temporary file; returns its path (static buffer). */
static const char *write_config(const char *text) {
    static char path[64];
    FILE *f;
    int fd;
    strcpy(path, "/tmp/kiln_rt_init_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0) return "/nonexistent";
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static aclError init_with(const char *text) {
    const char *path = write_config(text);
    aclError ret = aclInit(path);
    unlink(path);
    return ret;
}

static void test_finalize_before_any_init(void) {
    EXPECT_EQ(aclFinalize(), ACL_ERROR_UNINITIALIZE);
    EXPECT_TRUE(strstr(aclGetRecentErrMsg(), "aclFinalize") != NULL);
}

static void test_uninitialized_calls(void) {
    aclrtContext context = NULL;
    aclrtStream stream = NULL;
    aclrtEvent event = NULL;
    EXPECT_EQ(aclrtSetDevice(0), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtCreateContext(&context, 0), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtCreateStream(&stream), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtCreateEvent(&event), ACL_ERROR_UNINITIALIZE);
    EXPECT_TRUE(context == NULL && stream == NULL && event == NULL);
}

static void test_version(void) {
    int32_t major = -1, minor = -1, patch = -1;
    EXPECT_OK(aclrtGetVersion(&major, &minor, &patch));
    EXPECT_EQ(major, 1);
    EXPECT_EQ(minor, 0);
    EXPECT_EQ(patch, 0);
    EXPECT_EQ(major, ACL_MAJOR_VERSION);
    EXPECT_EQ(aclrtGetVersion(NULL, &minor, &patch), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetVersion(&major, NULL, &patch), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetVersion(&major, &minor, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(strstr(aclGetRecentErrMsg(), "aclrtGetVersion") != NULL);
}

static void test_soc_name(void) {
    const char *name = aclrtGetSocName();
    EXPECT_TRUE(name != NULL);
    if (name && getenv("KILN_ACL_SOC_NAME") == NULL) EXPECT_EQ(strcmp(name, "Ascend310"), 0);
}

static void test_init_without_config(void) {
    EXPECT_OK(aclInit(NULL));
    EXPECT_EQ(aclInit(NULL), ACL_ERROR_REPEAT_INITIALIZE);
    EXPECT_EQ(aclInit(""), ACL_ERROR_REPEAT_INITIALIZE);
    EXPECT_OK(aclFinalize());
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
    EXPECT_OK(aclInit("")); /* Kiln allows re-initialisation after aclFinalize */
    EXPECT_OK(aclFinalize());
}

static void test_repeat_init_changes_nothing(void) {
    int32_t device = -1;
    ASSERT_OK(aclInit(NULL));
    ASSERT_OK(aclrtSetDevice(0));
    EXPECT_EQ(init_with("{}"), ACL_ERROR_REPEAT_INITIALIZE);
    EXPECT_OK(aclrtGetDevice(&device));
    EXPECT_EQ(device, 0);
    EXPECT_OK(aclrtResetDevice(0));
    EXPECT_OK(aclFinalize());
}

static void test_config_files(void) {
    aclrtContext context = NULL;
    EXPECT_EQ(aclInit("/nonexistent/acl.json"), ACL_ERROR_INVALID_FILE);
    EXPECT_EQ(aclInit("/tmp"), ACL_ERROR_INVALID_FILE); /* a directory */
    EXPECT_EQ(init_with("[1, 2]"), ACL_ERROR_PARSE_FILE);
    EXPECT_EQ(init_with("{"), ACL_ERROR_PARSE_FILE);
    EXPECT_EQ(init_with("   \n"), ACL_ERROR_PARSE_FILE);
    EXPECT_EQ(init_with("{} {}"), ACL_ERROR_PARSE_FILE);
    EXPECT_EQ(init_with("{\"dump\": 3}"), ACL_ERROR_INVALID_DUMP_CONFIG);
    EXPECT_EQ(init_with("{\"profiler\": \"on\"}"), ACL_ERROR_INVALID_PROFILING_CONFIG);
    /* a failed aclInit leaves the library uninitialised */
    EXPECT_EQ(aclrtCreateContext(&context, 0), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);

    EXPECT_OK(init_with("")); /* 0 bytes: no configuration */
    EXPECT_OK(aclFinalize());
    EXPECT_OK(init_with("{}"));
    EXPECT_OK(aclFinalize());
    EXPECT_OK(init_with("{\"dump\": {\"dump_list\": [], \"dump_path\": \"/tmp/dump\", \"dump_mode\": \"all\"},"
                        " \"profiler\": {\"switch\": \"on\", \"output\": \"/tmp\"}, \"max_opqueue_num\": \"1000\","
                        " \"err_msg_mode\": \"1\", \"unknown_key\": [1, 2, {\"x\": null}]}"));
    EXPECT_OK(aclFinalize());
}

static void test_finalize_releases_everything(void) {
    aclrtContext context = NULL, current = NULL;
    aclrtStream stream = NULL;
    aclrtEvent event = NULL;
    void *device_block = NULL, *host_block = NULL;
    ASSERT_OK(aclInit(NULL));
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtCreateContext(&context, 0));
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtCreateEvent(&event));
    ASSERT_OK(aclrtMalloc(&device_block, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_OK(aclrtMallocHost(&host_block, 100));
    /* no destroy, no reset, no free: aclFinalize cleans up (ASan's leak check watches) */
    EXPECT_OK(aclFinalize());
    ASSERT_OK(aclInit(NULL));
    EXPECT_EQ(aclrtGetCurrentContext(&current), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSetCurrentContext(context), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyContext(context), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyStream(stream), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyEvent(event), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFree(device_block), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFreeHost(host_block), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclFinalize());
}

static void test_finalize_drains_streams(void) {
    enum { kSize = 1 << 20 };
    unsigned char *user = (unsigned char *)calloc(kSize, 1), *fallback = (unsigned char *)calloc(kSize, 1);
    aclrtStream stream = NULL;
    int i;
    ASSERT_OK(aclInit(NULL));
    ASSERT_OK(aclrtSetDevice(0));
    ASSERT_OK(aclrtCreateStream(&stream));
    for (i = 1; i <= 20; ++i) {
        EXPECT_OK(aclrtMemsetAsync(user, kSize, i, kSize, stream));
        EXPECT_OK(aclrtMemsetAsync(fallback, kSize, 100 + i, kSize, NULL)); /* the default stream */
    }
    EXPECT_OK(aclFinalize()); /* no synchronisation: aclFinalize waits for the queued tasks */
    EXPECT_EQ(user[0], 20);
    EXPECT_EQ(user[kSize - 1], 20);
    EXPECT_EQ(fallback[kSize - 1], 120);
    free(user);
    free(fallback);
}

int main(void) {
    RUN(test_finalize_before_any_init);
    RUN(test_uninitialized_calls);
    RUN(test_version);
    RUN(test_soc_name);
    RUN(test_init_without_config);
    RUN(test_repeat_init_changes_nothing);
    RUN(test_config_files);
    RUN(test_finalize_releases_everything);
    RUN(test_finalize_drains_streams);
    return capi_test_summary();
}
