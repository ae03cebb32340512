/* Helpers for the model tests (test_mdl_*.c): datasets over malloc'd buffers, built from a
 * description's sizes or from explicit sizes, and freed together. */
#ifndef KILN_TESTS_CAPI_MDL_TEST_UTIL_H_
#define KILN_TESTS_CAPI_MDL_TEST_UTIL_H_

#include "capi_test.h"

/* A dataset whose buffer i holds sizes[i] zeroed bytes. */
static inline aclmdlDataset *mdl_dataset(size_t n, const size_t *sizes) {
    size_t i;
    aclmdlDataset *ds = aclmdlCreateDataset();
    for (i = 0; i < n; ++i) {
        void *p = calloc(1, sizes[i] ? sizes[i] : 1);
        aclDataBuffer *b = aclCreateDataBuffer(p, sizes[i]);
        aclmdlAddDatasetBuffer(ds, b);
    }
    return ds;
}

/* A dataset sized for the model's inputs (input != 0) or outputs, at the largest gear. */
static inline aclmdlDataset *mdl_dataset_for(aclmdlDesc *desc, int input) {
    size_t sizes[16];
    size_t i, n = input ? aclmdlGetNumInputs(desc) : aclmdlGetNumOutputs(desc);
    for (i = 0; i < n && i < 16; ++i) {
        sizes[i] = input ? aclmdlGetInputSizeByIndex(desc, i) : aclmdlGetOutputSizeByIndex(desc, i);
    }
    return mdl_dataset(n, sizes);
}

static inline void *mdl_data(aclmdlDataset *ds, size_t i) { return aclGetDataBufferAddr(aclmdlGetDatasetBuffer(ds, i)); }
static inline float *mdl_floats(aclmdlDataset *ds, size_t i) { return (float *)mdl_data(ds, i); }

/* Frees the buffers' memory, the buffers and the dataset. */
static inline void mdl_free_dataset(aclmdlDataset *ds) {
    size_t i;
    if (!ds) return;
    for (i = 0; i < aclmdlGetDatasetNumBuffers(ds); ++i) {
        aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
        free(aclGetDataBufferAddr(b));
        aclDestroyDataBuffer(b);
    }
    aclmdlDestroyDataset(ds);
}

/* Loads a fixture model and fills a description; returns the model id (0 on failure). */
static inline uint32_t mdl_load(const char *name, aclmdlDesc **desc) {
    uint32_t id = 0;
    aclError e = aclmdlLoadFromFile(capi_test_model(name), &id);
    EXPECT_EQ(e, ACL_SUCCESS);
    if (e != ACL_SUCCESS) return 0;
    *desc = aclmdlCreateDesc();
    EXPECT_OK(aclmdlGetDesc(*desc, id));
    return id;
}

#endif /* KILN_TESTS_CAPI_MDL_TEST_UTIL_H_ */
