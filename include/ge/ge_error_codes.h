/* ge/ge_error_codes.h: the same declarations as acl/error_codes/ge_error_codes.h (shared guard). */
#include "../acl/error_codes/ge_error_codes.h"
