/* Dynamic gears (spec §5.7, §5.8): dyn_batch.om (x [-1,3,2,2], gears 1,2,4, y = 2x + 1),
 * dyn_hw.om (x [1,3,-1,-1], gears (2,2),(4,3), y = 2x + 1), dyn_dims.om (x [-1,-1,-1,3] ND,
 * gears (1,2,2),(2,2,2),(1,4,4), y = x + 1): gear lists, setters, execution at a smaller gear with
 * buffers sized for it, GetCurOutputDims, and the gear error codes. */
#include "mdl_test_util.h"

static void fill(aclmdlDataset *ds, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i) mdl_floats(ds, 0)[i] = (float)i - 3.0f;
}

static uint32_t gear_value(aclmdlDataset *ds, size_t index, size_t k) {
    uint32_t v;
    memcpy(&v, (unsigned char *)mdl_data(ds, index) + 4 * k, 4);
    return v;
}

static void test_batch_desc(void) {
    aclmdlDesc *desc = NULL;
    aclmdlBatch batch;
    aclmdlHW hw;
    aclmdlIODims dims;
    size_t index = 0, gears = 9;
    uint32_t id = mdl_load("dyn_batch.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_EQ(aclmdlGetNumInputs(desc), 2);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 4 * 48);
    EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc, 0), 4 * 48);
    EXPECT_OK(aclmdlGetInputIndexByName(desc, ACL_DYNAMIC_TENSOR_NAME, &index));
    EXPECT_EQ(index, 1);
    EXPECT_EQ(strcmp(aclmdlGetInputNameByIndex(desc, 1), ACL_DYNAMIC_TENSOR_NAME), 0);
    EXPECT_EQ(aclmdlGetInputDataType(desc, 1), ACL_INT32);
    EXPECT_EQ(aclmdlGetInputFormat(desc, 1), ACL_FORMAT_ND);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 1), 4);
    EXPECT_OK(aclmdlGetInputDims(desc, 1, &dims));
    EXPECT_EQ(dims.dimCount, 1);
    EXPECT_EQ(dims.dims[0], 1);
    EXPECT_OK(aclmdlGetInputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dims[0], -1);
    EXPECT_EQ(dims.dims[1], 3);
    { /* no shape ranges are recorded: the gear dim is [1, -1] (unbounded), fixed dims [d, d] */
        aclmdlIODimsRange range;
        EXPECT_OK(aclmdlGetInputDimsRange(desc, 0, &range));
        EXPECT_EQ(range.rangeCount, 4);
        EXPECT_EQ(range.range[0][0], 1);
        EXPECT_EQ(range.range[0][1], -1);
        EXPECT_EQ(range.range[1][0], 3);
        EXPECT_EQ(range.range[1][1], 3);
        EXPECT_EQ(aclmdlGetInputDimsRange(desc, 5, &range), ACL_ERROR_INVALID_PARAM);
        EXPECT_EQ(aclmdlGetInputDimsRange(desc, 0, NULL), ACL_ERROR_INVALID_PARAM);
        EXPECT_EQ(aclmdlGetInputDimsRange(NULL, 0, &range), ACL_ERROR_INVALID_PARAM);
    }
    EXPECT_OK(aclmdlGetDynamicBatch(desc, &batch));
    EXPECT_EQ(batch.batchCount, 3);
    EXPECT_EQ(batch.batch[0], 1);
    EXPECT_EQ(batch.batch[1], 2);
    EXPECT_EQ(batch.batch[2], 4);
    EXPECT_OK(aclmdlGetDynamicHW(desc, (size_t)-1, &hw));
    EXPECT_EQ(hw.hwCount, 0);
    EXPECT_OK(aclmdlGetInputDynamicGearCount(desc, (size_t)-1, &gears));
    EXPECT_EQ(gears, 0);
    /* Output dims: the largest gear, also as the current gear before any was set. */
    EXPECT_OK(aclmdlGetOutputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dimCount, 4);
    EXPECT_EQ(dims.dims[0], 4);
    EXPECT_OK(aclmdlGetCurOutputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dims[0], 4);
    EXPECT_EQ(aclmdlGetDynamicBatch(desc, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetDynamicBatch(NULL, &batch), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static void test_batch_execute(void) {
    aclmdlDesc *desc = NULL;
    aclmdlIODims dims;
    size_t in_sizes[2] = {2 * 48, 4}, out_size = 4 * 48, i;
    aclmdlDataset *in, *out;
    uint32_t id = mdl_load("dyn_batch.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    in = mdl_dataset(2, in_sizes); /* the data buffer holds the 2 images used, less than the max */
    out = mdl_dataset(1, &out_size);
    fill(in, 24);
    memset(mdl_data(out, 0), 0x55, out_size);
    EXPECT_OK(aclmdlSetDynamicBatchSize(id, in, 1, 2));
    EXPECT_EQ(gear_value(in, 1, 0), 2);
    EXPECT_OK(aclmdlGetCurOutputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dims[0], 2);
    EXPECT_EQ(dims.dims[3], 2);
    EXPECT_OK(aclmdlExecute(id, in, out));
    for (i = 0; i < 24; ++i) EXPECT_TRUE(mdl_floats(out, 0)[i] == 2.0f * ((float)i - 3.0f) + 1.0f);
    EXPECT_EQ(((unsigned char *)mdl_data(out, 0))[96], 0x55); /* the batch-2 run leaves the tail */
    EXPECT_EQ(((unsigned char *)mdl_data(out, 0))[191], 0x55);
    /* Async: the gear is captured at submission. */
    memset(mdl_data(out, 0), 0, out_size);
    EXPECT_OK(aclmdlExecuteAsync(id, in, out, NULL));
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_TRUE(mdl_floats(out, 0)[23] == 2.0f * 20.0f + 1.0f);
    mdl_free_dataset(in);
    mdl_free_dataset(out);

    /* No setter: the value in the gear buffer selects batch 1 (one 48-byte image). */
    in_sizes[0] = 48;
    in = mdl_dataset(2, in_sizes);
    out = mdl_dataset(1, &out_size);
    fill(in, 12);
    *(uint32_t *)mdl_data(in, 1) = 1;
    EXPECT_OK(aclmdlExecute(id, in, out));
    EXPECT_TRUE(mdl_floats(out, 0)[11] == 2.0f * 8.0f + 1.0f);
    /* Neither: the largest gear (4) runs and needs 192 input bytes. */
    *(uint32_t *)mdl_data(in, 1) = 3;
    EXPECT_EQ(aclmdlExecute(id, in, out), ACL_ERROR_INVALID_PARAM);
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static void test_batch_misuse(void) {
    aclmdlDesc *desc = NULL, *static_desc = NULL;
    size_t sizes[2] = {192, 4}, short_sizes[2] = {192, 2};
    aclmdlDataset *in, *one, *short_gear, *null_gear;
    uint32_t static_id, id = mdl_load("dyn_batch.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    static_id = mdl_load("static.om", &static_desc);
    in = mdl_dataset(2, sizes);
    one = mdl_dataset(1, sizes);
    short_gear = mdl_dataset(2, short_sizes);
    null_gear = mdl_dataset(2, sizes);
    free(mdl_data(null_gear, 1));
    EXPECT_OK(aclUpdateDataBuffer(aclmdlGetDatasetBuffer(null_gear, 1), NULL, 4));
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in, 1, 3), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in, 1, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in, 0, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, NULL, 1, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id + 1000, in, 1, 2), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, one, 1, 2), ACL_ERROR_GE_DYNAMIC_INPUT_ADDR_INVALID);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, null_gear, 1, 2), ACL_ERROR_GE_DYNAMIC_INPUT_ADDR_INVALID);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, short_gear, 1, 2), ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID);
    EXPECT_EQ(aclmdlSetDynamicHWSize(id, in, 1, 2, 2), ACL_ERROR_MODEL_NOT_DYNAMIC);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(static_id, in, 1, 2), ACL_ERROR_MODEL_NOT_DYNAMIC);
    mdl_free_dataset(in);
    mdl_free_dataset(one);
    mdl_free_dataset(short_gear);
    mdl_free_dataset(null_gear);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlUnload(static_id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
    EXPECT_OK(aclmdlDestroyDesc(static_desc));
}

static void test_image_size(void) {
    aclmdlDesc *desc = NULL;
    aclmdlHW hw;
    aclmdlBatch batch;
    aclmdlIODims dims;
    size_t in_sizes[2] = {48, 8}, out_size = 144, i;
    aclmdlDataset *in, *out;
    uint32_t id = mdl_load("dyn_hw.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 144); /* 3 x 4 x 3 floats */
    EXPECT_OK(aclmdlGetDynamicHW(desc, 0, &hw));
    EXPECT_EQ(hw.hwCount, 2);
    EXPECT_EQ(hw.hw[0][0], 2);
    EXPECT_EQ(hw.hw[0][1], 2);
    EXPECT_EQ(hw.hw[1][0], 4);
    EXPECT_EQ(hw.hw[1][1], 3);
    EXPECT_OK(aclmdlGetDynamicBatch(desc, &batch));
    EXPECT_EQ(batch.batchCount, 0);
    EXPECT_OK(aclmdlGetInputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dims[2], -1);
    EXPECT_EQ(dims.dims[3], -1);
    EXPECT_OK(aclmdlGetOutputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dims[2], 4);
    EXPECT_EQ(dims.dims[3], 3);
    in = mdl_dataset(2, in_sizes);
    out = mdl_dataset(1, &out_size);
    fill(in, 12);
    EXPECT_EQ(aclmdlSetDynamicHWSize(id, in, 1, 3, 3), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in, 1, 1), ACL_ERROR_MODEL_NOT_DYNAMIC);
    EXPECT_OK(aclmdlSetDynamicHWSize(id, in, 1, 2, 2));
    EXPECT_EQ(gear_value(in, 1, 0), 2);
    EXPECT_EQ(gear_value(in, 1, 1), 2);
    EXPECT_OK(aclmdlExecute(id, in, out));
    for (i = 0; i < 12; ++i) EXPECT_TRUE(mdl_floats(out, 0)[i] == 2.0f * ((float)i - 3.0f) + 1.0f);
    EXPECT_OK(aclmdlGetCurOutputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dims[2], 2);
    EXPECT_EQ(dims.dims[3], 2);
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

static void test_dims(void) {
    aclmdlDesc *desc = NULL;
    aclmdlIODims gears[3], set, cur;
    size_t count = 0, in_sizes[2] = {96, 12}, out_size = 192, i;
    aclmdlDataset *in, *out;
    uint32_t id = mdl_load("dyn_dims.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_EQ(aclmdlGetInputFormat(desc, 0), ACL_FORMAT_ND);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 192); /* the largest gear: 1 x 4 x 4 x 3 floats */
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 1), 12);
    EXPECT_OK(aclmdlGetInputDynamicGearCount(desc, (size_t)-1, &count));
    EXPECT_EQ(count, 3);
    EXPECT_OK(aclmdlGetInputDynamicDims(desc, (size_t)-1, gears, 3));
    EXPECT_EQ(gears[0].dimCount, 4);
    EXPECT_EQ(gears[0].dims[0], 1);
    EXPECT_EQ(gears[0].dims[1], 2);
    EXPECT_EQ(gears[0].dims[2], 2);
    EXPECT_EQ(gears[0].dims[3], 3);
    EXPECT_EQ(gears[2].dims[1], 4);
    EXPECT_EQ(aclmdlGetInputDynamicDims(desc, (size_t)-1, gears, 2), ACL_ERROR_INVALID_PARAM);
    in = mdl_dataset(2, in_sizes); /* 96 bytes: the (2,2,2) gear, less than the max */
    out = mdl_dataset(1, &out_size);
    fill(in, 24);
    memset(&set, 0, sizeof(set));
    set.dimCount = 4;
    set.dims[0] = 2, set.dims[1] = 2, set.dims[2] = 2, set.dims[3] = 3;
    EXPECT_OK(aclmdlSetInputDynamicDims(id, in, 1, &set));
    EXPECT_EQ(gear_value(in, 1, 0), 2);
    EXPECT_EQ(gear_value(in, 1, 2), 2);
    EXPECT_OK(aclmdlExecute(id, in, out));
    for (i = 0; i < 24; ++i) EXPECT_TRUE(mdl_floats(out, 0)[i] == (float)i - 2.0f);
    EXPECT_OK(aclmdlGetCurOutputDims(desc, 0, &cur));
    EXPECT_EQ(cur.dims[0], 2);
    EXPECT_EQ(cur.dims[1], 2);
    EXPECT_EQ(cur.dims[3], 3);
    /* Misuse: wrong count, a fixed dim changed, not a gear, wrong index, model without dims. */
    set.dimCount = 3;
    EXPECT_EQ(aclmdlSetInputDynamicDims(id, in, 1, &set), ACL_ERROR_INVALID_PARAM);
    set.dimCount = 4;
    set.dims[3] = 4;
    EXPECT_EQ(aclmdlSetInputDynamicDims(id, in, 1, &set), ACL_ERROR_INVALID_PARAM);
    set.dims[3] = 3;
    set.dims[1] = 4;
    EXPECT_EQ(aclmdlSetInputDynamicDims(id, in, 1, &set), ACL_ERROR_INVALID_PARAM);
    set.dims[1] = 2;
    EXPECT_EQ(aclmdlSetInputDynamicDims(id, in, 0, &set), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetInputDynamicDims(id, in, 1, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(id, in, 1, 1), ACL_ERROR_MODEL_NOT_DYNAMIC);
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

int main(void) {
    if (capi_test_open_device() != 0) return 1;
    RUN(test_batch_desc);
    RUN(test_batch_execute);
    RUN(test_batch_misuse);
    RUN(test_image_size);
    RUN(test_dims);
    capi_test_close_device();
    return capi_test_summary();
}
