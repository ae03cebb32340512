/* AIPP queries and dynamic AIPP parameter sets (spec §5.9, §5.10): aipp_static.om (YUV420SP 4x4,
 * no CSC, y = x + 1 where x is the AIPP output [1,3,4,4] = Y, U, V planes) and aipp_dynamic.om
 * (dynamic AIPP, max_src_image_size 48, y = x + 1). Expected values are computed here from the
 * raw pixels. */
#include "mdl_test_util.h"

static void test_static_queries(void) {
    aclmdlDesc *desc = NULL;
    aclmdlIODims dims;
    aclmdlInputAippType type;
    size_t attached = 0;
    aclAippInfo *info = (aclAippInfo *)malloc(sizeof(aclAippInfo));
    uint32_t id = mdl_load("aipp_static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 24); /* 4 x 4 x 3/2 */
    EXPECT_EQ(aclmdlGetInputDataType(desc, 0), ACL_UINT8);
    EXPECT_EQ(aclmdlGetInputFormat(desc, 0), ACL_FORMAT_NHWC);
    EXPECT_OK(aclmdlGetInputDims(desc, 0, &dims));
    EXPECT_EQ(dims.dimCount, 4);
    EXPECT_EQ(dims.dims[1], 4); /* H */
    EXPECT_EQ(dims.dims[2], 4); /* W */
    EXPECT_EQ(dims.dims[3], 3);
    EXPECT_OK(aclmdlGetInputDimsV2(desc, 0, &dims));
    EXPECT_EQ(dims.dims[1], 6); /* YUV420SP rows: H * 3/2 */
    EXPECT_EQ(dims.dims[2], 4);
    EXPECT_EQ(dims.dims[3], 1);
    EXPECT_OK(aclmdlGetAippType(id, 0, &type, &attached));
    EXPECT_EQ(type, ACL_DATA_WITH_STATIC_AIPP);
    EXPECT_EQ(attached, ACL_INVALID_NODE_INDEX);
    EXPECT_OK(aclmdlGetFirstAippInfo(id, 0, info));
    EXPECT_EQ(info->inputFormat, ACL_YUV420SP_U8);
    EXPECT_EQ(info->srcImageSizeW, 4);
    EXPECT_EQ(info->srcImageSizeH, 4);
    EXPECT_EQ(info->cscSwitch, 0);
    EXPECT_EQ(info->cropSwitch, 0);
    EXPECT_TRUE(info->varReciChn0 == 1.0f);
    EXPECT_EQ(info->srcFormat, ACL_FORMAT_NHWC);
    EXPECT_EQ(info->srcDatatype, ACL_UINT8);
    EXPECT_EQ(info->srcDimNum, 4);
    EXPECT_EQ(info->shapeCount, 1);
    EXPECT_EQ(info->outDims[0].srcSize, 24);
    EXPECT_EQ(info->outDims[0].srcDims.dimCount, 4);
    EXPECT_EQ(info->outDims[0].srcDims.dims[1], 4);
    EXPECT_EQ(info->outDims[0].aippOutdims.dims[1], 3);
    EXPECT_EQ(info->outDims[0].aippOutdims.dims[3], 4);
    EXPECT_EQ(info->outDims[0].aippOutSize, 192);
    EXPECT_TRUE(info->aippExtend == NULL);
    /* Misuse. */
    EXPECT_EQ(aclmdlGetAippType(id + 1000, 0, &type, &attached), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlGetAippType(id, 5, &type, &attached), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetAippType(id, 0, NULL, &attached), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetFirstAippInfo(id, 0, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetFirstAippInfo(id, 3, info), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetFirstAippInfo(id + 1000, 0, info), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
    free(info);
}

static void test_static_execute(void) {
    aclmdlDesc *desc = NULL;
    aclmdlDataset *in, *out;
    unsigned char *yuv;
    float *y;
    int h, w;
    uint32_t id = mdl_load("aipp_static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    in = mdl_dataset_for(desc, 1);
    out = mdl_dataset_for(desc, 0);
    yuv = (unsigned char *)mdl_data(in, 0);
    for (h = 0; h < 24; ++h) yuv[h] = (unsigned char)(10 * h + 3);
    EXPECT_OK(aclmdlExecute(id, in, out));
    y = mdl_floats(out, 0);
    for (h = 0; h < 4; ++h) {
        for (w = 0; w < 4; ++w) {
            const unsigned char *uv = yuv + 16 + (h / 2) * 4 + (w / 2) * 2;
            EXPECT_TRUE(y[0 * 16 + h * 4 + w] == (float)yuv[h * 4 + w] + 1.0f);
            EXPECT_TRUE(y[1 * 16 + h * 4 + w] == (float)uv[0] + 1.0f);
            EXPECT_TRUE(y[2 * 16 + h * 4 + w] == (float)uv[1] + 1.0f);
        }
    }
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

/* Static AIPP with dynamic batch (aipp_batch.om, gears 1,2): sizes at the largest gear, one AIPP
 * shape per gear, and a batch-1 execution reading only the first 24-byte image. */
static void test_static_with_batch_gears(void) {
    aclmdlDesc *desc = NULL;
    aclAippInfo *info = (aclAippInfo *)malloc(sizeof(aclAippInfo));
    size_t index = 0, in_sizes[2] = {24, 4}, out_size = 0;
    aclmdlDataset *in, *out;
    unsigned char *yuv;
    int i;
    uint32_t id = mdl_load("aipp_batch.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 48);
    EXPECT_EQ(aclmdlGetOutputSizeByIndex(desc, 0), 2 * 192);
    EXPECT_OK(aclmdlGetFirstAippInfo(id, 0, info));
    EXPECT_EQ(info->shapeCount, 2);
    EXPECT_EQ(info->outDims[0].srcSize, 24);
    EXPECT_EQ(info->outDims[1].srcSize, 48);
    EXPECT_EQ(info->outDims[1].srcDims.dims[0], 2);
    EXPECT_EQ(info->outDims[1].aippOutSize, 2 * 192);
    EXPECT_OK(aclmdlGetInputIndexByName(desc, ACL_DYNAMIC_TENSOR_NAME, &index));
    in = mdl_dataset(2, in_sizes);
    out_size = aclmdlGetOutputSizeByIndex(desc, 0);
    out = mdl_dataset(1, &out_size);
    yuv = (unsigned char *)mdl_data(in, 0);
    for (i = 0; i < 24; ++i) yuv[i] = (unsigned char)(200 - 3 * i);
    EXPECT_OK(aclmdlSetDynamicBatchSize(id, in, index, 1));
    EXPECT_OK(aclmdlExecute(id, in, out));
    EXPECT_TRUE(mdl_floats(out, 0)[5] == (float)yuv[5] + 1.0f);          /* Y at (1, 1) */
    EXPECT_TRUE(mdl_floats(out, 0)[16 + 15] == (float)yuv[16 + 6] + 1.0f); /* U at (3, 3) */
    EXPECT_TRUE(mdl_floats(out, 0)[48] == 0.0f && mdl_floats(out, 0)[95] == 0.0f); /* image 2: not written */
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
    free(info);
}

static void test_no_aipp(void) {
    aclmdlDesc *desc = NULL;
    aclmdlInputAippType type;
    size_t attached = 0;
    aclAippInfo *info = (aclAippInfo *)malloc(sizeof(aclAippInfo));
    uint32_t id = mdl_load("static.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_OK(aclmdlGetAippType(id, 1, &type, &attached));
    EXPECT_EQ(type, ACL_DATA_WITHOUT_AIPP);
    EXPECT_EQ(attached, ACL_INVALID_NODE_INDEX);
    EXPECT_EQ(aclmdlGetFirstAippInfo(id, 0, info), ACL_ERROR_GE_AIPP_NOT_EXIST);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
    free(info);
}

static aclmdlAIPP *rgb_set(void) {
    aclmdlAIPP *set = aclmdlCreateAIPP(1);
    EXPECT_TRUE(set != NULL);
    EXPECT_OK(aclmdlSetAIPPInputFormat(set, ACL_RGB888_U8));
    EXPECT_OK(aclmdlSetAIPPSrcImageSize(set, 4, 4));
    EXPECT_OK(aclmdlSetAIPPCscParams(set, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_OK(aclmdlSetAIPPRbuvSwapSwitch(set, 0));
    EXPECT_OK(aclmdlSetAIPPAxSwapSwitch(set, 0));
    EXPECT_OK(aclmdlSetAIPPCropParams(set, 0, 0, 0, 0, 0, 0));
    EXPECT_OK(aclmdlSetAIPPScfParams(set, 0, 0, 0, 0, 0, 0));
    EXPECT_OK(aclmdlSetAIPPPaddingParams(set, 0, 0, 0, 0, 0, 0));
    EXPECT_OK(aclmdlSetAIPPDtcPixelMean(set, 1, 2, 3, 0, 0));
    EXPECT_OK(aclmdlSetAIPPDtcPixelMin(set, 0.0f, 0.0f, 0.0f, 0.0f, 0));
    EXPECT_OK(aclmdlSetAIPPPixelVarReci(set, 0.5f, 0.5f, 0.5f, 1.0f, 0));
    return set;
}

static void test_dynamic(void) {
    aclmdlDesc *desc = NULL;
    aclmdlInputAippType type;
    size_t attached = 0, size = 0;
    aclAippInfo *info = (aclAippInfo *)malloc(sizeof(aclAippInfo));
    aclmdlDataset *in, *out;
    aclmdlAIPP *set;
    unsigned char *rgb, *block;
    int32_t src_w;
    int i, c, px;
    uint32_t id = mdl_load("aipp_dynamic.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    EXPECT_EQ(aclmdlGetNumInputs(desc), 2);
    EXPECT_EQ(strcmp(aclmdlGetInputNameByIndex(desc, 1), ACL_DYNAMIC_AIPP_NAME), 0);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 0), 48);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(desc, 1), 160);
    EXPECT_OK(aclmdlGetAippType(id, 0, &type, &attached));
    EXPECT_EQ(type, ACL_DATA_WITH_DYNAMIC_AIPP);
    EXPECT_EQ(attached, 1);
    EXPECT_OK(aclmdlGetAippType(id, 1, &type, &attached));
    EXPECT_EQ(type, ACL_DYNAMIC_AIPP_NODE);
    EXPECT_EQ(attached, ACL_INVALID_NODE_INDEX);
    EXPECT_EQ(aclmdlGetFirstAippInfo(id, 0, info), ACL_ERROR_NOT_STATIC_AIPP);
    EXPECT_OK(aclmdlGetAippDataSize(1, &size));
    EXPECT_EQ(size, 160);
    EXPECT_OK(aclmdlGetAippDataSize(3, &size));
    EXPECT_EQ(size, 64 + 3 * 96);

    in = mdl_dataset_for(desc, 1);
    out = mdl_dataset_for(desc, 0);
    rgb = (unsigned char *)mdl_data(in, 0);
    for (i = 0; i < 48; ++i) rgb[i] = (unsigned char)(5 * i + 7);
    set = rgb_set();
    EXPECT_OK(aclmdlSetInputAIPP(id, in, 1, set));
    block = (unsigned char *)mdl_data(in, 1);
    EXPECT_EQ(block[0], ACL_RGB888_U8);
    EXPECT_EQ(block[4], 1); /* batchNum */
    memcpy(&src_w, block + 8, 4);
    EXPECT_EQ(src_w, 4);
    EXPECT_OK(aclmdlDestroyAIPP(set)); /* the set was copied */
    EXPECT_OK(aclmdlExecute(id, in, out));
    for (c = 0; c < 3; ++c) {
        for (px = 0; px < 16; ++px) {
            const float expected = ((float)rgb[px * 3 + c] - (float)(c + 1)) * 0.5f + 1.0f;
            EXPECT_TRUE(mdl_floats(out, 0)[c * 16 + px] == expected);
        }
    }
    /* By data input index: the same block. */
    memset(block, 0, 160);
    set = rgb_set();
    EXPECT_OK(aclmdlSetAIPPByInputIndex(id, in, 0, set));
    EXPECT_EQ(block[0], ACL_RGB888_U8);
    EXPECT_EQ(aclmdlSetAIPPByInputIndex(id, in, 1, set), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclmdlDestroyAIPP(set));
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
    free(info);
}

static void test_dynamic_misuse(void) {
    aclmdlDesc *desc = NULL;
    aclmdlDataset *in, *small;
    size_t small_sizes[2] = {48, 100}, size = 0;
    aclmdlAIPP *set, *no_format;
    uint32_t id = mdl_load("aipp_dynamic.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    in = mdl_dataset_for(desc, 1);
    small = mdl_dataset(2, small_sizes);
    EXPECT_TRUE(aclmdlCreateAIPP(0) == NULL);
    EXPECT_EQ(aclmdlGetAippDataSize(0, &size), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetAippDataSize(1, NULL), ACL_ERROR_INVALID_PARAM);
    set = rgb_set();
    no_format = aclmdlCreateAIPP(1);
    EXPECT_EQ(aclmdlSetAIPPCropParams(set, 1, 0, 0, 2, 2, 1), ACL_ERROR_INVALID_PARAM); /* batchIndex 1 of 1 */
    EXPECT_EQ(aclmdlSetAIPPDtcPixelMean(set, 0, 0, 0, 0, 5), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetAIPPRbuvSwapSwitch(set, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetAIPPInputFormat(NULL, ACL_RGB888_U8), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetAIPPSrcImageSize(NULL, 4, 4), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetInputAIPP(id, in, 0, set), ACL_ERROR_INVALID_PARAM); /* not the parameter input */
    EXPECT_EQ(aclmdlSetInputAIPP(id, in, 1, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetInputAIPP(id, NULL, 1, set), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetInputAIPP(id + 1000, in, 1, set), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlSetInputAIPP(id, in, 1, no_format), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetInputAIPP(id, small, 1, set), ACL_ERROR_INVALID_PARAM); /* 100 < 160 bytes */
    /* A crop outside the 4x4 source, and a source larger than max_src_image_size. */
    EXPECT_OK(aclmdlSetAIPPCropParams(set, 1, 2, 2, 4, 4, 0));
    EXPECT_EQ(aclmdlSetInputAIPP(id, in, 1, set), ACL_ERROR_GE_AIPP_MODE_INVALID);
    /* A 2x2 crop inside the source, but the network takes 4x4 (no resize, no padding). */
    EXPECT_OK(aclmdlSetAIPPCropParams(set, 1, 0, 0, 2, 2, 0));
    EXPECT_EQ(aclmdlSetInputAIPP(id, in, 1, set), ACL_ERROR_GE_AIPP_MODE_INVALID);
    /* ... padded back to 4x4: accepted. */
    EXPECT_OK(aclmdlSetAIPPPaddingParams(set, 1, 1, 1, 1, 1, 0));
    EXPECT_OK(aclmdlSetInputAIPP(id, in, 1, set));
    EXPECT_OK(aclmdlSetAIPPPaddingParams(set, 0, 0, 0, 0, 0, 0));
    EXPECT_OK(aclmdlSetAIPPCropParams(set, 0, 0, 0, 0, 0, 0));
    EXPECT_OK(aclmdlSetAIPPSrcImageSize(set, 8, 8));
    EXPECT_EQ(aclmdlSetInputAIPP(id, in, 1, set), ACL_ERROR_GE_AIPP_MODE_INVALID);
    EXPECT_OK(aclmdlDestroyAIPP(set));
    EXPECT_EQ(aclmdlDestroyAIPP(set), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlDestroyAIPP(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_OK(aclmdlDestroyAIPP(no_format));
    mdl_free_dataset(in);
    mdl_free_dataset(small);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

/* A parameter block the application never filled fails at execution time: aclmdlExecute returns
 * 507011, and the async form reports it from aclrtSynchronizeStream (once). */
static void test_execution_failure(void) {
    aclmdlDesc *desc = NULL;
    aclmdlDataset *in, *out;
    aclrtStream stream = NULL;
    uint32_t id = mdl_load("aipp_dynamic.om", &desc);
    ASSERT_OK(id ? ACL_SUCCESS : ACL_ERROR_FAILURE);
    ASSERT_OK(aclrtCreateStream(&stream));
    in = mdl_dataset_for(desc, 1); /* the parameter block is all zeros: no input format */
    out = mdl_dataset_for(desc, 0);
    EXPECT_EQ(aclmdlExecute(id, in, out), ACL_ERROR_RT_MODEL_EXECUTE);
    EXPECT_OK(aclmdlExecuteAsync(id, in, out, stream));
    EXPECT_EQ(aclrtSynchronizeStream(stream), ACL_ERROR_RT_MODEL_EXECUTE);
    EXPECT_OK(aclrtSynchronizeStream(stream));
    EXPECT_OK(aclrtDestroyStream(stream));
    mdl_free_dataset(in);
    mdl_free_dataset(out);
    EXPECT_OK(aclmdlUnload(id));
    EXPECT_OK(aclmdlDestroyDesc(desc));
}

int main(void) {
    if (capi_test_open_device() != 0) return 1;
    RUN(test_static_queries);
    RUN(test_static_execute);
    RUN(test_static_with_batch_gears);
    RUN(test_no_aipp);
    RUN(test_dynamic);
    RUN(test_dynamic_misuse);
    RUN(test_execution_failure);
    capi_test_close_device();
    return capi_test_summary();
}
