/* libascendcl.so is built from the kiln_capi archive (linked whole); this file gives the shared
 * library target a source of its own. */
#include "acl/acl.h"
