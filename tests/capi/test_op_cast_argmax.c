/* Single-operator API (spec §6): tensor descriptors, type helpers, attributes, aclopCast and
 * aclopExecuteV2 with the built-in Cast and ArgMaxV2 kernels — including the vpc sample's exact
 * sequence (float [1000] -> float16 -> ArgMaxV2 with a constant int32 dimension) — and misuse. */
#include <math.h>

#include "capi_test.h"

static void test_type_helpers(void) {
    EXPECT_EQ(aclDataTypeSize(ACL_FLOAT), 4);
    EXPECT_EQ(aclDataTypeSize(ACL_FLOAT16), 2);
    EXPECT_EQ(aclDataTypeSize(ACL_INT8), 1);
    EXPECT_EQ(aclDataTypeSize(ACL_INT64), 8);
    EXPECT_EQ(aclDataTypeSize(ACL_BOOL), 1);
    EXPECT_EQ(aclDataTypeSize(ACL_COMPLEX128), 16);
    EXPECT_EQ(aclDataTypeSize(ACL_COMPLEX32), 4);
    EXPECT_EQ(aclDataTypeSize(ACL_BF16), 2);
    EXPECT_EQ(aclDataTypeSize(ACL_STRING), 0);
    EXPECT_EQ(aclDataTypeSize(ACL_DT_UNDEFINED), 0);
    EXPECT_EQ(aclDataTypeSize((aclDataType)5), 0);
    EXPECT_EQ(aclFloatToFloat16(1.0f), 0x3c00);
    EXPECT_EQ(aclFloatToFloat16(-2.0f), 0xc000);
    EXPECT_EQ(aclFloatToFloat16(65520.0f), 0x7c00);      /* overflow -> inf */
    EXPECT_EQ(aclFloatToFloat16(1.0f + 1.0f / 2048), 0x3c00); /* tie -> even */
    EXPECT_EQ(aclFloatToFloat16(1.0f + 3.0f / 2048), 0x3c02);
    EXPECT_TRUE(aclFloat16ToFloat(0x3555) > 0.333f && aclFloat16ToFloat(0x3555) < 0.3334f);
    EXPECT_TRUE(aclFloat16ToFloat(0x7bff) == 65504.0f);
    EXPECT_TRUE(isnan(aclFloat16ToFloat(aclFloatToFloat16(NAN))));
}

static void test_tensor_desc(void) {
    int64_t dims[2] = {2, 3}, d = 0;
    int64_t unknown[2] = {-1, 3};
    int32_t value = 7;
    aclTensorDesc *t = aclCreateTensorDesc(ACL_FLOAT16, 2, dims, ACL_FORMAT_ND);
    aclTensorDesc *scalar = aclCreateTensorDesc(ACL_INT32, 0, NULL, ACL_FORMAT_ND);
    aclTensorDesc *dyn = aclCreateTensorDesc(ACL_FLOAT, 2, unknown, ACL_FORMAT_NCHW);
    EXPECT_TRUE(t != NULL && scalar != NULL && dyn != NULL);
    EXPECT_EQ(aclGetTensorDescSize(t), 12);
    EXPECT_EQ(aclGetTensorDescElementCount(t), 6);
    EXPECT_EQ(aclGetTensorDescNumDims(t), 2);
    EXPECT_EQ(aclGetTensorDescType(t), ACL_FLOAT16);
    EXPECT_EQ(aclGetTensorDescFormat(dyn), ACL_FORMAT_NCHW);
    EXPECT_OK(aclGetTensorDescDimV2(t, 1, &d));
    EXPECT_EQ(d, 3);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EXPECT_EQ(aclGetTensorDescDim(t, 0), 2); /* the deprecated V1: -1 for a bad index or NULL */
    EXPECT_EQ(aclGetTensorDescDim(t, 2), -1);
    EXPECT_EQ(aclGetTensorDescDim(NULL, 0), -1);
#pragma GCC diagnostic pop
    EXPECT_EQ(aclGetTensorDescDimV2(t, 2, &d), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclGetTensorDescDimV2(t, 0, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclGetTensorDescSize(scalar), 4);
    EXPECT_EQ(aclGetTensorDescNumDims(scalar), 0);
    EXPECT_EQ(aclGetTensorDescSize(dyn), 0);
    EXPECT_EQ(aclGetTensorDescSize(NULL), 0);
    EXPECT_EQ(aclGetTensorDescType(NULL), ACL_DT_UNDEFINED);
    aclSetTensorDescName(t, "scores");
    EXPECT_EQ(strcmp(aclGetTensorDescName(t), "scores"), 0);
    EXPECT_OK(aclSetTensorFormat(t, ACL_FORMAT_NHWC));
    EXPECT_EQ(aclGetTensorDescFormat(t), ACL_FORMAT_NHWC);
    EXPECT_OK(aclSetTensorShape(dyn, 2, dims));
    EXPECT_EQ(aclGetTensorDescSize(dyn), 24);
    EXPECT_OK(aclSetTensorConst(scalar, &value, sizeof(value)));
    EXPECT_EQ(aclSetTensorConst(scalar, NULL, 4), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclSetTensorConst(scalar, &value, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclSetTensorConst(NULL, &value, 4), ACL_ERROR_INVALID_PARAM);
    EXPECT_TRUE(aclCreateTensorDesc(ACL_FLOAT, -1, dims, ACL_FORMAT_ND) == NULL);
    EXPECT_TRUE(aclCreateTensorDesc(ACL_FLOAT, 2, NULL, ACL_FORMAT_ND) == NULL);
    aclDestroyTensorDesc(t);
    aclDestroyTensorDesc(scalar);
    aclDestroyTensorDesc(dyn);
    aclDestroyTensorDesc(NULL);
}

static void test_attrs(void) {
    int64_t ints[3] = {1, 2, 3};
    float floats[2] = {0.5f, 1.5f};
    uint8_t bools[2] = {1, 0};
    const char *strings[2] = {"a", "b"};
    aclopAttr *attr = aclopCreateAttr();
    EXPECT_TRUE(attr != NULL);
    EXPECT_OK(aclopSetAttrBool(attr, "truncate", 0));
    EXPECT_OK(aclopSetAttrInt(attr, "dst_type", ACL_FLOAT16));
    EXPECT_OK(aclopSetAttrFloat(attr, "alpha", 0.25f));
    EXPECT_OK(aclopSetAttrString(attr, "mode", "nearest"));
    EXPECT_OK(aclopSetAttrListInt(attr, "axes", 3, ints));
    EXPECT_OK(aclopSetAttrListFloat(attr, "scales", 2, floats));
    EXPECT_OK(aclopSetAttrListBool(attr, "flags", 2, bools));
    EXPECT_OK(aclopSetAttrListString(attr, "names", 2, strings));
    EXPECT_OK(aclopSetAttrInt(attr, "dst_type", ACL_FLOAT)); /* replaces */
    EXPECT_EQ(aclopSetAttrInt(NULL, "x", 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopSetAttrInt(attr, NULL, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopSetAttrString(attr, "s", NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopSetAttrListInt(attr, "axes", -1, ints), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopSetAttrListInt(attr, "axes", 2, NULL), ACL_ERROR_INVALID_PARAM);
    aclopDestroyAttr(attr);
    aclopDestroyAttr(NULL);
}

/* The vpc_resnet50 sample's post-processing on a [1000] score vector whose maximum is at 637. */
static void test_vpc_sequence(void) {
    int64_t dims[1] = {1000}, one[1] = {1};
    float *scores = NULL;
    void *half = NULL, *index = NULL;
    int32_t dimension = 0, top = -1;
    int i;
    aclrtStream stream = NULL;
    aclTensorDesc *src, *dst, *in_desc[2], *out_desc[1];
    aclDataBuffer *src_buf, *dst_buf, *in_buf[2], *out_buf[1];
    aclopAttr *cast_attr, *argmax_attr;
    ASSERT_OK(aclrtCreateStream(&stream));
    ASSERT_OK(aclrtMalloc((void **)&scores, 4000, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_OK(aclrtMalloc(&half, 2000, ACL_MEM_MALLOC_HUGE_FIRST));
    ASSERT_OK(aclrtMalloc(&index, 4, ACL_MEM_MALLOC_HUGE_FIRST));
    for (i = 0; i < 1000; ++i) scores[i] = (float)((i * 37) % 101) / 10.0f;
    scores[637] = 20.0f;
    scores[900] = 20.0f; /* a tie: the smaller index wins */
    EXPECT_EQ(aclopSetModelDir("/nonexistent/op_models"), ACL_ERROR_INVALID_FILE);
    EXPECT_OK(aclopSetModelDir(capi_test_model(""))); /* any readable directory: built-in kernels */
    EXPECT_EQ(aclopSetModelDir("."), ACL_ERROR_REPEAT_INITIALIZE);

    src = aclCreateTensorDesc(ACL_FLOAT, 1, dims, ACL_FORMAT_ND);
    dst = aclCreateTensorDesc(ACL_FLOAT16, 1, dims, ACL_FORMAT_ND);
    src_buf = aclCreateDataBuffer(scores, 4000);
    dst_buf = aclCreateDataBuffer(half, 2000);
    cast_attr = aclopCreateAttr();
    EXPECT_OK(aclopCast(src, src_buf, dst, dst_buf, 0, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    for (i = 0; i < 1000; i += 97) EXPECT_EQ(((uint16_t *)half)[i], aclFloatToFloat16(scores[i]));

    in_desc[0] = dst;
    in_desc[1] = aclCreateTensorDesc(ACL_INT32, 1, one, ACL_FORMAT_ND);
    EXPECT_OK(aclSetTensorConst(in_desc[1], &dimension, sizeof(dimension)));
    out_desc[0] = aclCreateTensorDesc(ACL_INT32, 1, one, ACL_FORMAT_ND); /* [1], not the scalar shape */
    in_buf[0] = dst_buf;
    in_buf[1] = aclCreateDataBuffer(NULL, 0);
    out_buf[0] = aclCreateDataBuffer(index, 4);
    argmax_attr = aclopCreateAttr();
    EXPECT_OK(aclopExecuteV2("ArgMaxV2", 2, in_desc, in_buf, 1, out_desc, out_buf, argmax_attr, stream));
    EXPECT_OK(aclrtSynchronizeStream(stream));
    memcpy(&top, index, 4);
    EXPECT_EQ(top, 637);

    /* Cast through aclopExecuteV2 with the compiled op's attributes; truncate toward zero. */
    {
        float third = 1.0f / 3.0f, big = 70000.0f;
        uint16_t h[2] = {0, 0};
        int64_t two[1] = {2};
        float src2[2];
        aclTensorDesc *c_in[1], *c_out[1];
        aclDataBuffer *b_in[1], *b_out[1];
        src2[0] = third, src2[1] = big;
        c_in[0] = aclCreateTensorDesc(ACL_FLOAT, 1, two, ACL_FORMAT_ND);
        c_out[0] = aclCreateTensorDesc(ACL_FLOAT16, 1, two, ACL_FORMAT_ND);
        b_in[0] = aclCreateDataBuffer(src2, sizeof(src2));
        b_out[0] = aclCreateDataBuffer(h, sizeof(h));
        EXPECT_OK(aclopSetAttrBool(cast_attr, "truncate", 1));
        EXPECT_OK(aclopSetAttrInt(cast_attr, "dst_type", ACL_FLOAT16));
        EXPECT_OK(aclopExecuteV2("Cast", 1, c_in, b_in, 1, c_out, b_out, cast_attr, NULL));
        EXPECT_OK(aclrtSynchronizeStream(NULL));
        EXPECT_EQ(h[0], 0x3555); /* 1/3 rounds down either way */
        EXPECT_EQ(h[1], 0x7bff); /* truncation saturates at 65504 instead of inf */
        EXPECT_OK(aclopSetAttrBool(cast_attr, "truncate", 0));
        EXPECT_OK(aclopExecuteV2("Cast", 1, c_in, b_in, 1, c_out, b_out, cast_attr, NULL));
        EXPECT_OK(aclrtSynchronizeStream(NULL));
        EXPECT_EQ(h[1], 0x7c00);
        aclDestroyTensorDesc(c_in[0]);
        aclDestroyTensorDesc(c_out[0]);
        aclDestroyDataBuffer(b_in[0]);
        aclDestroyDataBuffer(b_out[0]);
    }

    aclopDestroyAttr(cast_attr);
    aclopDestroyAttr(argmax_attr);
    aclDestroyTensorDesc(src);
    aclDestroyTensorDesc(dst);
    aclDestroyTensorDesc(in_desc[1]);
    aclDestroyTensorDesc(out_desc[0]);
    aclDestroyDataBuffer(src_buf);
    aclDestroyDataBuffer(dst_buf);
    aclDestroyDataBuffer(in_buf[1]);
    aclDestroyDataBuffer(out_buf[0]);
    aclrtFree(scores);
    aclrtFree(half);
    aclrtFree(index);
    EXPECT_OK(aclrtDestroyStream(stream));
}

static void test_cast_types_and_argmax_axis(void) {
    /* float -> int32 rounds toward zero; int32 -> float exact; ArgMaxV2 over axis -1 of [2,3]
     * with an int64 output whose descriptor has unknown dims (rewritten to [2]). */
    float f[4] = {2.7f, -2.7f, 1e10f, -0.4f};
    int32_t i32[4] = {0, 0, 0, 0};
    float x[6] = {1, 5, 3, 9, -1, 9};
    int64_t idx[2] = {-1, -1};
    int64_t four[1] = {4}, shape[2] = {2, 3}, unknown[1] = {-1}, axis_value = -1, one[1] = {1};
    aclTensorDesc *fd = aclCreateTensorDesc(ACL_FLOAT, 1, four, ACL_FORMAT_ND);
    aclTensorDesc *id = aclCreateTensorDesc(ACL_INT32, 1, four, ACL_FORMAT_ND);
    aclDataBuffer *fb = aclCreateDataBuffer(f, sizeof(f)), *ib = aclCreateDataBuffer(i32, sizeof(i32));
    aclTensorDesc *in_desc[2], *out_desc[1];
    aclDataBuffer *in_buf[2], *out_buf[1];
    EXPECT_OK(aclopCast(fd, fb, id, ib, 0, NULL));
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_EQ(i32[0], 2);
    EXPECT_EQ(i32[1], -2);
    EXPECT_EQ(i32[2], 2147483647); /* saturates */
    EXPECT_EQ(i32[3], 0);
    EXPECT_OK(aclopCast(id, ib, fd, fb, 0, NULL));
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_TRUE(f[0] == 2.0f && f[1] == -2.0f && f[3] == 0.0f);

    in_desc[0] = aclCreateTensorDesc(ACL_FLOAT, 2, shape, ACL_FORMAT_ND);
    in_desc[1] = aclCreateTensorDesc(ACL_INT64, 1, one, ACL_FORMAT_ND);
    out_desc[0] = aclCreateTensorDesc(ACL_INT64, 1, unknown, ACL_FORMAT_ND);
    in_buf[0] = aclCreateDataBuffer(x, sizeof(x));
    in_buf[1] = aclCreateDataBuffer(&axis_value, sizeof(axis_value)); /* not constant: read from the buffer */
    out_buf[0] = aclCreateDataBuffer(idx, sizeof(idx));
    EXPECT_OK(aclopExecuteV2("ArgMaxV2", 2, in_desc, in_buf, 1, out_desc, out_buf, NULL, NULL));
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_EQ(idx[0], 1);
    EXPECT_EQ(idx[1], 0); /* 9 at 0 and 2: the first */
    EXPECT_EQ(aclGetTensorDescNumDims(out_desc[0]), 1);
    EXPECT_OK(aclGetTensorDescDimV2(out_desc[0], 0, &idx[0]));
    EXPECT_EQ(idx[0], 2);
    /* The deprecated V1 computes the same but leaves its const output descriptor as given. */
    EXPECT_OK(aclSetTensorShape(out_desc[0], 1, unknown));
    idx[0] = idx[1] = -1;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EXPECT_OK(aclopExecute("ArgMaxV2", 2, (const aclTensorDesc *const *)in_desc, (const aclDataBuffer *const *)in_buf, 1,
                           (const aclTensorDesc *const *)out_desc, out_buf, NULL, NULL));
#pragma GCC diagnostic pop
    EXPECT_OK(aclrtSynchronizeStream(NULL));
    EXPECT_EQ(idx[0], 1);
    EXPECT_EQ(idx[1], 0);
    EXPECT_EQ(aclGetTensorDescSize(out_desc[0]), 0); /* still [-1] */

    aclDestroyTensorDesc(fd);
    aclDestroyTensorDesc(id);
    aclDestroyTensorDesc(in_desc[0]);
    aclDestroyTensorDesc(in_desc[1]);
    aclDestroyTensorDesc(out_desc[0]);
    aclDestroyDataBuffer(fb);
    aclDestroyDataBuffer(ib);
    aclDestroyDataBuffer(in_buf[0]);
    aclDestroyDataBuffer(in_buf[1]);
    aclDestroyDataBuffer(out_buf[0]);
}

static void test_op_misuse(void) {
    float x[4] = {0, 1, 2, 3};
    uint16_t y[4];
    int64_t four[1] = {4}, three[1] = {3};
    aclTensorDesc *xd = aclCreateTensorDesc(ACL_FLOAT, 1, four, ACL_FORMAT_ND);
    aclTensorDesc *yd = aclCreateTensorDesc(ACL_FLOAT16, 1, four, ACL_FORMAT_ND);
    aclTensorDesc *y3 = aclCreateTensorDesc(ACL_FLOAT16, 1, three, ACL_FORMAT_ND);
    aclTensorDesc *sd = aclCreateTensorDesc(ACL_STRING, 1, four, ACL_FORMAT_ND);
    aclDataBuffer *xb = aclCreateDataBuffer(x, sizeof(x)), *yb = aclCreateDataBuffer(y, sizeof(y));
    aclDataBuffer *short_b = aclCreateDataBuffer(x, 8);
    aclTensorDesc *in[2], *out[2];
    aclDataBuffer *inb[2], *outb[2];
    in[0] = xd, in[1] = xd, out[0] = yd, out[1] = yd;
    inb[0] = xb, inb[1] = xb, outb[0] = yb, outb[1] = yb;
    EXPECT_EQ(aclopExecuteV2(NULL, 1, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopExecuteV2("Cast", -1, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopExecuteV2("Cast", 1, NULL, inb, 1, out, outb, NULL, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopExecuteV2("Cast", 1, in, inb, 1, out, NULL, NULL, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopExecuteV2("Conv2D", 1, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_OP_NOT_FOUND);
    EXPECT_EQ(aclopExecuteV2("Cast", 2, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_OP_INPUT_NOT_MATCH);
    EXPECT_EQ(aclopExecuteV2("Cast", 1, in, inb, 2, out, outb, NULL, NULL), ACL_ERROR_OP_OUTPUT_NOT_MATCH);
    EXPECT_EQ(aclopExecuteV2("ArgMaxV2", 1, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_OP_INPUT_NOT_MATCH);
    inb[0] = short_b;
    EXPECT_EQ(aclopExecuteV2("Cast", 1, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_INVALID_PARAM);
    inb[0] = xb;
    out[0] = y3;
    EXPECT_EQ(aclopExecuteV2("Cast", 1, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_OP_OUTPUT_NOT_MATCH);
    out[0] = sd;
    EXPECT_EQ(aclopExecuteV2("Cast", 1, in, inb, 1, out, outb, NULL, NULL), ACL_ERROR_UNSUPPORTED_DATA_TYPE);
    EXPECT_EQ(aclopCast(xd, xb, y3, yb, 0, NULL), ACL_ERROR_INVALID_PARAM); /* element counts differ */
    EXPECT_EQ(aclopCast(NULL, xb, yd, yb, 0, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopCast(xd, xb, yd, NULL, 0, NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopSetModelDir(NULL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopLoad(NULL, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclopCreateHandleForCast(xd, yd, 0, NULL), ACL_ERROR_API_NOT_SUPPORT);
    aclDestroyTensorDesc(xd);
    aclDestroyTensorDesc(yd);
    aclDestroyTensorDesc(y3);
    aclDestroyTensorDesc(sd);
    aclDestroyDataBuffer(xb);
    aclDestroyDataBuffer(yb);
    aclDestroyDataBuffer(short_b);
}

/* The handle API is not provided (spec §6.2 allows 200001); it must fail cleanly, never crash. */
static void test_handle_api_unsupported(void) {
    int64_t dims[1] = {4};
    aclTensorDesc *desc = aclCreateTensorDesc(ACL_FLOAT, 1, dims, ACL_FORMAT_ND);
    const aclTensorDesc *descs[1];
    aclopHandle *handle = NULL;
    descs[0] = desc;
    EXPECT_EQ(aclopCreateHandle("Cast", 1, descs, 1, descs, NULL, &handle), ACL_ERROR_API_NOT_SUPPORT);
    EXPECT_TRUE(handle == NULL);
    EXPECT_EQ(aclopExecWithHandle(NULL, 0, NULL, 0, NULL, NULL), ACL_ERROR_API_NOT_SUPPORT);
    EXPECT_EQ(aclopCreateHandleForCast(desc, desc, 0, &handle), ACL_ERROR_API_NOT_SUPPORT);
    aclopDestroyHandle(NULL);
    aclDestroyTensorDesc(desc);
}

int main(void) {
    if (capi_test_open_device() != 0) return 1;
    RUN(test_type_helpers);
    RUN(test_tensor_desc);
    RUN(test_attrs);
    RUN(test_vpc_sequence);
    RUN(test_cast_types_and_argmax_axis);
    RUN(test_op_misuse);
    RUN(test_handle_api_unsupported);
    capi_test_close_device();
    /* After aclFinalize the model directory may be set again (aclInit starts clean). */
    if (aclInit(NULL) == ACL_SUCCESS) {
        EXPECT_OK(aclopSetModelDir("."));
        aclFinalize();
    }
    return capi_test_summary();
}
