/* Model API on a static model (static.om: x, z float [1,3,2,2] NCHW -> sum = x + z, prod = x * z):
 * loading, descriptions, datasets, sync/async execution, and the misuse cases of spec §5. */
#include <pthread.h>

#include "mdl_test_util.h"

static void fill_inputs(aclmdlDataset *in) {
    int i;
    for (i = 0; i < 12; ++i) {
        mdl_floats(in, 0)[i] = (float)i;
        mdl_floats(in, 1)[i] = 2.0f - 0.5f * (float)i;
    }
}

static void check_outputs(aclmdlDataset *out) {
    int i;
    for (i = 0; i < 12; ++i) {
        EXPECT_TRUE(mdl_floats(out, 0)[i] == (float)i + 2.0f - 0.5f * (float)i);
        EXPECT_TRUE(mdl_floats(out, 1)[i] == (float)i * (2.0f - 0.5f * (float)i));
    }
}

static void test_desc(void) {
    aclmdlDesc *desc = NULL;
    aclmdlIODims dims;
    size_t index = 99;
    uint32_t id = mdl_load("static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_EQ(aclmdlGetNumInputs(desc), 2);
    EXPECT_EQ(aclmdlGetNumOutputs(desc), 2);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 48);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 1), 48);
    EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc, 1), 48);
    EXPECT_EQ(strcmp(aclmdlGetInputNameByIndex(desc, 1), "z"), 0);
    EXPECT_EQ(strcmp(aclmdlGetOutputNameByIndex(desc, 0), "sum"), 0);
    EXPECT_EQ(strcmp(aclmdlGetOutputNameByIndex(desc, 1), "prod"), 0);
    EXPECT_EQ(aclmdlGetInputDataType(desc, 0), ACL_FLOAT);
    EXPECT_EQ(aclmdlGetOutputDataType(desc, 1), ACL_FLOAT);
    EXPECT_EQ(aclmdlGetInputFormat(desc, 0), ACL_FORMAT_NCHW);
    EXPECT_EQ(aclmdlGetOutputFormat(desc, 0), ACL_FORMAT_ND);
    EXPECT_OK(aclmdlGetInputDims(desc, 1, &dims));
    EXPECT_EQ(strcmp(dims.name, "z"), 0);
    EXPECT_EQ(dims.dimCount, 4);
    EXPECT_EQ(dims.dims[0], 1);
    EXPECT_EQ(dims.dims[1], 3);
    EXPECT_EQ(dims.dims[3], 2);
    EXPECT_OK(aclmdlGetInputDimsV2(desc, 0, &dims));
    EXPECT_EQ(dims.dimCount, 4);
    EXPECT_OK(aclmdlGetOutputDims(desc, 1, &dims));
    EXPECT_EQ(strcmp(dims.name, "prod"), 0);
    EXPECT_EQ(dims.dims[1], 3);
    EXPECT_OK(aclmdlGetCurOutputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dimCount, 4);
    EXPECT_OK(aclmdlGetInputIndexByName(desc, "z", &index));
    EXPECT_EQ(index, 1);
    EXPECT_OK(aclmdlGetOutputIndexByName(desc, "prod", &index));
    EXPECT_EQ(index, 1);
    /* Misuse: out-of-range index, missing names, NULLs. */
    EXPECT_EQ(aclmdlGetInputIndexByName(desc, ACL_DYNAMIC_TENSOR_NAME, &index), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetInputIndexByName(desc, NULL, &index), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetInputIndexByName(desc, "x", NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 2), 0);
    EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc, 7), 0);
    EXPECT_EQ(strcmp(aclmdlGetInputNameByIndex(desc, 2), ""), 0);
    EXPECT_EQ(strcmp(aclmdlGetOutputNameByIndex(NULL, 0), ""), 0);
    EXPECT_EQ(aclmdlGetInputFormat(desc, 2), ACL_FORMAT_UNDEFINED);
    EXPECT_EQ(aclmdlGetOutputDataType(desc, 2), ACL_DT_UNDEFINED);
    EXPECT_EQ(aclmdlGetInputDims(desc, 2, &dims), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetOutputDims(desc, 0, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetCurOutputDims(NULL, 0, &dims), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetNumInputs(NULL), 0);
    EXPECT_EQ(aclmdlGetDesc(NULL, id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetDesc(desc, id + 1000), ACL_ERROR_INVALID_MODEL_ID);
    /* The description stays valid after unloading. */
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_EQ(aclmdlGetNumInputs(desc), 2);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 48);
    EXPECT_EQ(aclmdlUnload(id), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_OK(aclmdlDestroyDesc(desc));
    EXPECT_EQ(aclmdlDestroyDesc(NULL), ACL_ERROR_INVALID_PARAM);
}

/* A name of 130 characters: aclmdlGetInputDims reports acl_modelId_<id>_input_<index>_...; the
 * name getter and the index-by-name lookup keep the original. */
static void test_long_name(void) {
    char name[131], prefix[64];
    aclmdlDesc *desc = NULL;
    aclmdlIODims dims;
    size_t index = 9;
    uint32_t id = mdl_load("long_name.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    memset(name, 'n', 130);
    name[130] = 0;
    EXPECT_EQ(strcmp(aclmdlGetInputNameByIndex(desc, 0), name), 0);
    EXPECT_OK(aclmdlGetInputIndexByName(desc, name, &index));
    EXPECT_EQ(index, 0);
    EXPECT_OK(aclmdlGetInputDims(desc, 0, &dims));
    sprintf(prefix, "acl_modelId_%u_input_0_", (unsigned)id);
    EXPECT_EQ(strncmp(dims.name, prefix, strlen(prefix)), 0);
    EXPECT_TRUE(strlen(dims.name) < ACL_MAX_TENSOR_NAME_LEN);
    EXPECT_EQ(dims.dimCount, 1);
    EXPECT_EQ(dims.dims[0], 2);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static void test_unfilled_desc(void) {
    aclmdlDesc *desc = aclmdlCreateDesc();
    aclmdlIODims dims;
    EXPECT_TRUE(desc != NULL);
    EXPECT_EQ(aclmdlGetNumInputs(desc), 0);
    EXPECT_EQ(aclmdlGetInputDims(desc, 0, &dims), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static void test_execute(void) {
    aclmdlDesc *desc = NULL;
    aclmdlDataset *in, *out;
    uint32_t id = mdl_load("static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    in = mdl_dataset_for(desc, 1);
    out = mdl_dataset_for(desc, 0);
    fill_inputs(in);
    EXPECT_OK(aclmdlExecute(id, in, out));
    check_outputs(out);
    /* A second execution on the same datasets gives the same results. */
    memset(mdl_data(out, 0), 0, 48);
    EXPECT_OK(aclmdlExecute(id, in, out));
    check_outputs(out);
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static void test_execute_misuse(void) {
    aclmdlDesc *desc = NULL;
    aclmdlDataset *in, *out, *one, *three;
    size_t sizes[3] = {48, 48, 48};
    size_t short_sizes[2] = {48, 44};
    size_t big_sizes[2] = {64, 64};
    aclmdlDataset *short_in, *big_out;
    aclDataBuffer *null_buffer;
    uint32_t id = mdl_load("static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    in = mdl_dataset_for(desc, 1);
    out = mdl_dataset_for(desc, 0);
    one = mdl_dataset(1, sizes);
    three = mdl_dataset(3, sizes);
    short_in = mdl_dataset(2, short_sizes);
    big_out = mdl_dataset(2, big_sizes);
    fill_inputs(in);
    EXPECT_EQ(aclmdlExecute(id + 1000, in, out), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlExecute(id, NULL, out), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlExecute(id, in, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlExecute(id, one, out), ACL_ERROR_MODEL_INPUT_NOT_MATCH);
    EXPECT_EQ(aclmdlExecute(id, three, out), ACL_ERROR_MODEL_INPUT_NOT_MATCH);
    EXPECT_EQ(aclmdlExecute(id, in, one), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH);
    EXPECT_EQ(aclmdlExecute(id, short_in, out), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlExecute(id, in, short_in), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlExecuteAsync(id, in, one, NULL), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH);
    EXPECT_EQ(aclmdlExecuteAsync(id + 1000, in, out, NULL), ACL_ERROR_INVALID_MODEL_ID);
    /* A larger output buffer is accepted; bytes past the result stay untouched. */
    memset(mdl_data(big_out, 0), 0x7f, 64);
    EXPECT_OK(aclmdlExecute(id, in, big_out));
    EXPECT_TRUE(mdl_floats(big_out, 0)[11] == 11.0f + 2.0f - 5.5f);
    EXPECT_EQ(((unsigned char *)mdl_data(big_out, 0))[48], 0x7f);
    EXPECT_EQ(((unsigned char *)mdl_data(big_out, 0))[63], 0x7f);
    /* A buffer with NULL data. */
    null_buffer = aclmdlGetDatasetBuffer(in, 1);
    free(aclGetDataBufferAddr(null_buffer));
    EXPECT_OK(aclUpdateDataBuffer(null_buffer, NULL, 48));
    EXPECT_EQ(aclmdlExecute(id, in, out), ACL_ERROR_INVALID_PARAM);
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    mdl_free_dataset(one);
    mdl_free_dataset(three);
    mdl_free_dataset(short_in);
    mdl_free_dataset(big_out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static void test_execute_async(void) {
    aclmdlDesc *desc = NULL;
    aclmdlDataset *in, *out;
    aclrtStream stream = NULL;
    uint32_t id = mdl_load("static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    ASSERT_OK(aclrtCreateStream(&stream));
    in = mdl_dataset_for(desc, 1);
    out = mdl_dataset_for(desc, 0);
    fill_inputs(in);
    EXPECT_OK(aclmdlExecuteAsync(id, in, out, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    check_outputs(out);
    /* The default stream (NULL). */
    memset(mdl_data(out, 1), 0, 48);
    EXPECT_OK(aclmdlExecuteAsync(id, in, out, NULL));
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    check_outputs(out);
    EXPECT_OK(aclrtDestroyStream(stream));
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

/* Executions of one model from several threads run concurrently and each gets its own results. */
struct worker {
    uint32_t id;
    aclmdlDesc *desc;
    float offset;
    int wrong;
    int failed;
};

static void *execute_many(void *arg) {
    struct worker *w = (struct worker *)arg;
    aclmdlDataset *in = mdl_dataset_for(w->desc, 1), *out = mdl_dataset_for(w->desc, 0);
    int round, i;
    for (round = 0; round < 50; ++round) {
        for (i = 0; i < 12; ++i) {
            mdl_floats(in, 0)[i] = w->offset + (float)(round + i);
            mdl_floats(in, 1)[i] = 2.0f;
        }
        if (aclmdlExecute(w->id, in, out) != ACL_SUCCESS) ++w->failed;
        for (i = 0; i < 12; ++i) {
            if (mdl_floats(out, 0)[i] != w->offset + (float)(round + i) + 2.0f) ++w->wrong;
            if (mdl_floats(out, 1)[i] != 2.0f * (w->offset + (float)(round + i))) ++w->wrong;
        }
    }
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    return NULL;
}

static void test_execute_from_threads(void) {
    aclmdlDesc *desc = NULL;
    pthread_t threads[4];
    struct worker workers[4];
    int t;
    uint32_t id = mdl_load("static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    for (t = 0; t < 4; ++t) {
        workers[t].id = id;
        workers[t].desc = desc;
        workers[t].offset = 1000.0f * (float)t;
        workers[t].wrong = workers[t].failed = 0;
        pthread_create(&threads[t], NULL, execute_many, &workers[t]);
    }
    for (t = 0; t < 4; ++t) {
        pthread_join(threads[t], NULL);
        EXPECT_EQ(workers[t].failed, 0);
        EXPECT_EQ(workers[t].wrong, 0);
    }
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

/* aclmdlUnload waits for an execution still queued on a stream; its results are complete. */
static void test_unload_waits_for_async(void) {
    aclmdlDesc *desc = NULL;
    aclmdlDataset *in, *out;
    aclrtStream stream = NULL;
    int k;
    uint32_t id = mdl_load("static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    ASSERT_OK(aclrtCreateStream(&stream));
    in = mdl_dataset_for(desc, 1);
    out = mdl_dataset_for(desc, 0);
    fill_inputs(in);
    for (k = 0; k < 8; ++k) EXPECT_OK(aclmdlExecuteAsync(id, in, out, stream));
    EXPECT_OK(aclmdlUnload(id));
    check_outputs(out);
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_EQ(aclmdlExecuteAsync(id, in, out, stream), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_OK(aclrtDestroyStream(stream));
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static unsigned char *read_file(const char *path, size_t *size) {
    unsigned char *bytes;
    long n;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    bytes = (unsigned char *)malloc((size_t)n);
    *size = fread(bytes, 1, (size_t)n, f);
    fclose(f);
    return bytes;
}

static void test_load_variants(void) {
    size_t work = 0, weight = 0, work2 = 0, weight2 = 0, size = 0;
    uint32_t a = 0, b = 0, c = 0, d = 0;
    void *work_mem, *weight_mem;
    unsigned char *bytes = read_file(capi_test_model("static.om"), &size);
    ASSERT_OK(bytes ? ACL_SUCCESS : ACL_ERROR_INVALID_FILE);
    EXPECT_OK(aclmdlQuerySize(capi_test_model("static.om"), &work, &weight));
    EXPECT_TRUE(work > 0 && work % 32 == 0);
    EXPECT_TRUE(weight > 0 && weight % 32 == 0);
    EXPECT_OK(aclmdlQuerySizeFromMem(bytes, size, &work2, &weight2));
    EXPECT_EQ(work2, work);
    EXPECT_EQ(weight2, weight);
    EXPECT_OK(aclrtMalloc(&work_mem, work, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_OK(aclrtMalloc(&weight_mem, weight, ACL_MEM_MALLOC_HUGE_FIRST));
    EXPECT_OK(aclmdlLoadFromFile(capi_test_model("static.om"), &a));
    EXPECT_OK(aclmdlLoadFromMem(bytes, size, &b));
    /* The caller may free its image once loaded. */
    memset(bytes, 0, size);
    EXPECT_OK(aclmdlLoadFromFileWithMem(capi_test_model("static.om"), &c, work_mem, work, weight_mem, weight));
    {
        size_t size2 = 0;
        unsigned char *bytes2 = read_file(capi_test_model("static.om"), &size2);
        EXPECT_OK(aclmdlLoadFromMemWithMem(bytes2, size2, &d, NULL, 0, NULL, 0));
        free(bytes2);
    }
    /* Ids are distinct and increasing, never reused. */
    EXPECT_TRUE(a > 0 && b > a && c > b && d > c);
    EXPECT_OK(aclmdlUnload(b));
    {
        uint32_t e = 0;
        EXPECT_OK(aclmdlLoadFromFile(capi_test_model("static.om"), &e));
        EXPECT_TRUE(e > d);
        EXPECT_OK(aclmdlUnload(e));
    }
    /* Memory smaller than the queried sizes. */
    EXPECT_EQ(aclmdlLoadFromFileWithMem(capi_test_model("static.om"), &b, work_mem, work - 1, weight_mem, weight),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromFileWithMem(capi_test_model("static.om"), &b, work_mem, work, weight_mem, 1),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclmdlUnload(a));
    EXPECT_OK(aclmdlUnload(c));
    EXPECT_OK(aclmdlUnload(d));
    EXPECT_OK(aclrtFree(work_mem));
    EXPECT_OK(aclrtFree(weight_mem));
    free(bytes);
}

static void test_load_misuse(void) {
    uint32_t id = 0;
    size_t work = 0, weight = 0;
    const char junk[64] = "not a model";
    FILE *f = fopen("capi_test_junk.om", "wb");
    fwrite(junk, 1, sizeof(junk), f);
    fclose(f);
    EXPECT_EQ(aclmdlLoadFromFile(NULL, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromFile(capi_test_model("static.om"), NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromFile("/nonexistent/model.om", &id), ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
    EXPECT_EQ(aclmdlLoadFromFile("capi_test_junk.om", &id), ACL_ERROR_PARSE_MODEL);
    EXPECT_EQ(aclmdlLoadFromMem(junk, sizeof(junk), &id), ACL_ERROR_PARSE_MODEL);
    EXPECT_EQ(aclmdlLoadFromMem(NULL, 10, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromMem(junk, 0, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlQuerySize(NULL, &work, &weight), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlQuerySize(capi_test_model("static.om"), NULL, &weight), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlQuerySize("/nonexistent/model.om", &work, &weight), ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID);
    EXPECT_EQ(aclmdlQuerySize("capi_test_junk.om", &work, &weight), ACL_ERROR_PARSE_MODEL);
    EXPECT_EQ(aclmdlQuerySizeFromMem(junk, 0, &work, &weight), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlUnload(0), ACL_ERROR_INVALID_MODEL_ID);
    remove("capi_test_junk.om");
}

static void test_datasets_and_buffers(void) {
    int x = 5;
    aclmdlDataset *ds = aclmdlCreateDataset();
    aclDataBuffer *b = aclCreateDataBuffer(&x, sizeof(x));
    aclDataBuffer *empty = aclCreateDataBuffer(NULL, 0);
    EXPECT_TRUE(ds != NULL && b != NULL && empty != NULL);
    EXPECT_EQ(aclmdlGetDatasetNumBuffers(ds), 0);
    EXPECT_OK(aclmdlAddDatasetBuffer(ds, b));
    EXPECT_OK(aclmdlAddDatasetBuffer(ds, empty));
    EXPECT_OK(aclmdlAddDatasetBuffer(ds, b)); /* the same buffer twice is allowed */
    EXPECT_EQ(aclmdlGetDatasetNumBuffers(ds), 3);
    EXPECT_TRUE(aclmdlGetDatasetBuffer(ds, 0) == b);
    EXPECT_TRUE(aclmdlGetDatasetBuffer(ds, 1) == empty);
    EXPECT_TRUE(aclmdlGetDatasetBuffer(ds, 3) == NULL);
    EXPECT_TRUE(aclmdlGetDatasetBuffer(NULL, 0) == NULL);
    EXPECT_EQ(aclmdlGetDatasetNumBuffers(NULL), 0);
    EXPECT_EQ(aclmdlAddDatasetBuffer(ds, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlAddDatasetBuffer(NULL, b), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(aclGetDataBufferAddr(b) == &x);
    EXPECT_EQ(aclGetDataBufferSizeV2(b), sizeof(x));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EXPECT_EQ(aclGetDataBufferSize(b), sizeof(x)); /* V1 (deprecated): the size truncated to 32 bits */
    EXPECT_EQ(aclGetDataBufferSize(NULL), 0);
#pragma GCC diagnostic pop
    EXPECT_TRUE(aclGetDataBufferAddr(empty) == NULL);
    EXPECT_EQ(aclGetDataBufferSizeV2(empty), 0);
    EXPECT_OK(aclUpdateDataBuffer(empty, &x, 2));
    EXPECT_TRUE(aclGetDataBufferAddr(empty) == &x);
    EXPECT_EQ(aclGetDataBufferSizeV2(empty), 2);
    EXPECT_EQ(aclUpdateDataBuffer(NULL, &x, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(aclGetDataBufferAddr(NULL) == NULL);
    EXPECT_EQ(aclGetDataBufferSizeV2(NULL), 0);
    EXPECT_OK(aclDestroyDataBuffer(b));
    EXPECT_EQ(aclDestroyDataBuffer(b), ACL_ERROR_INVALID_PARAM); /* destroyed already */
    EXPECT_EQ(aclDestroyDataBuffer(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclDestroyDataBuffer(empty));
    EXPECT_EQ(x, 5); /* the memory is the caller's, untouched */
    EXPECT_OK(aclmdlDestroyDataset(ds));
    EXPECT_EQ(aclmdlDestroyDataset(ds), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlDestroyDataset(NULL), ACL_ERROR_INVALID_PARAM);
}

int main(void) {
    if (capi_test_open_device() != 0) return 1;
    RUN(test_desc);
    RUN(test_long_name);
    RUN(test_unfilled_desc);
    RUN(test_execute);
    RUN(test_execute_misuse);
    RUN(test_execute_async);
    RUN(test_execute_from_threads);
    RUN(test_unload_waits_for_async);
    RUN(test_load_variants);
    RUN(test_load_misuse);
    RUN(test_datasets_and_buffers);
    capi_test_close_device();
    return capi_test_summary();
}
