/* AscendCL-compatible C API (Kiln): the header applications include. Interface:
 * ../shared/spec/acl-api.md. Implemented by libascendcl.so on the CPU.
 *
 *   aclInit(NULL); aclrtSetDevice(0);
 *   uint32_t id; aclmdlLoadFromFile("resnet50.om", &id);
 *   ... aclmdlExecute(id, input_dataset, output_dataset); ...
 *   aclmdlUnload(id); aclrtResetDevice(0); aclFinalize();
 */
#ifndef INC_EXTERNAL_ACL_ACL_H_
#define INC_EXTERNAL_ACL_ACL_H_

#include "acl_mdl.h"
#include "acl_op.h"
#include "acl_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACL_MAJOR_VERSION 1
#define ACL_MINOR_VERSION 0
#define ACL_PATCH_VERSION 0

#ifndef KILN_ACL_INIT_DECLARED
#define KILN_ACL_INIT_DECLARED
/* configPath: NULL or "" = no configuration file; else a JSON object file (§4.1). */
ACL_FUNC_VISIBILITY aclError aclInit(const char *configPath);
ACL_FUNC_VISIBILITY aclError aclFinalize(void);
ACL_FUNC_VISIBILITY aclError aclrtGetVersion(int32_t *majorVersion, int32_t *minorVersion, int32_t *patchVersion);
/* The message of the calling thread's most recent failure ("" when none). Kiln extension of the
 * newer headers' function. */
ACL_FUNC_VISIBILITY const char *aclGetRecentErrMsg(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* INC_EXTERNAL_ACL_ACL_H_ */
