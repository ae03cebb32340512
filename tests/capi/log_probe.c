/* log_probe: provokes one AscendCL error (aclrtMalloc with a NULL pointer) and writes one
 * application log line at each level, so that ctest can check what reaches stdout/stderr under
 * ASCEND_GLOBAL_LOG_LEVEL and ASCEND_SLOG_PRINT_TO_STDOUT (tests/capi/CMakeLists.txt). */
#include <stdio.h>

#include "acl/acl.h"

int main(void) {
    if (aclrtMalloc(NULL, 16, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_ERROR_INVALID_PARAM) return 1;
    aclAppLog(ACL_DEBUG, "main", "log_probe.c", 1, "app debug %d", 0);
    aclAppLog(ACL_INFO, "main", "log_probe.c", 2, "app info %d", 1);
    aclAppLog(ACL_WARNING, "main", "log_probe.c", 3, "app warning %d", 2);
    aclAppLog(ACL_ERROR, "main", "log_probe.c", 4, "app error %d", 3);
    printf("recent error: %s\n", aclGetRecentErrMsg());
    return 0;
}
