// Internal state shared by the runtime half of the AscendCL API: contexts (state.cc), the
// stream/context membership, and the clean-up hooks aclFinalize runs (stream.cc, event.cc,
// memory.cc). Entry points reach it only through these functions; see capi.h for the rest.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "acl/acl.h"

namespace kiln::capi {

class Stream;

// A context groups streams on one device. The default context of a device is created by the
// first aclrtSetDevice (or an implicit open by aclrtCreateContext) and dies with aclrtResetDevice.
struct Context {
  int32_t device = 0;
  bool is_default = false;
  std::shared_ptr<Stream> default_stream;  // what a null aclrtStream means under this context
  std::vector<aclrtStream> streams;        // user streams created under it; guarded by state.cc
};

// --- contexts (state.cc) ---------------------------------------------------------------------------
std::shared_ptr<Context> find_context(aclrtContext handle);
// Binds `context` to the calling thread without checks (a stream worker runs under its context).
void set_current_context(aclrtContext context);
// Records a user stream under its context so that destroying the context (or resetting its
// device) destroys the stream too. False when the context is gone meanwhile.
bool attach_stream(aclrtContext context, aclrtStream stream);
void detach_stream(aclrtContext context, aclrtStream stream);

// --- clean-up used by aclFinalize / aclrtResetDevice / aclrtDestroyContext -------------------------
// Removes the user stream from the table, drains it and stops its worker (stream.cc). No-op for
// an unknown handle.
void destroy_user_stream(aclrtStream stream);
// Drains and stops every remaining user stream (stream.cc) / forgets every event (event.cc).
void destroy_all_user_streams();
void destroy_all_events();
// Frees every block aclrtMalloc / aclrtMallocHost handed out and that is still live (memory.cc).
void release_all_memory();

}  // namespace kiln::capi
