/* acl/ops/acl_cblas.h: the BLAS-style operators are not implemented by Kiln; libacl_cblas.so is
 * an (almost) empty library that satisfies the samples that link it without calling it. */
#ifndef INC_EXTERNAL_ACL_OPS_ACL_CBLAS_H_
#define INC_EXTERNAL_ACL_OPS_ACL_CBLAS_H_

#include "../acl.h"

#endif /* INC_EXTERNAL_ACL_OPS_ACL_CBLAS_H_ */
