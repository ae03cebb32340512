/* libacl_cblas.so: no BLAS operators are implemented (acl/ops/acl_cblas.h); the library exists so
 * that applications linking -lacl_cblas build and run. */
#include "acl/ops/acl_cblas.h"

ACL_FUNC_VISIBILITY int aclKilnCblasPlaceholder(void);
int aclKilnCblasPlaceholder(void) { return 0; }
