/* acl_prof.h: profiling is not implemented by Kiln; the header exists so that applications that
 * include it compile. */
#ifndef INC_EXTERNAL_ACL_PROF_H_
#define INC_EXTERNAL_ACL_PROF_H_

#include "acl_base.h"

#endif /* INC_EXTERNAL_ACL_PROF_H_ */
