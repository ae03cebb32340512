/* acl_op_compiler.h: online operator compilation is not implemented by Kiln (operators run on
 * built-in CPU kernels, see acl_op.h); the header exists so that applications that include it
 * compile. */
#ifndef INC_EXTERNAL_ACL_ACL_OP_COMPILER_H_
#define INC_EXTERNAL_ACL_ACL_OP_COMPILER_H_

#include "acl_op.h"

#endif /* INC_EXTERNAL_ACL_ACL_OP_COMPILER_H_ */
