// Internal state shared by the runtime half of the AscendCL API: contexts (state.cc), the
// stream/context membership, and the clean-up hooks aclFinalize runs (stream.cc, event.cc,
// memory.cc). Entry points reach it only through these functions; see capi.h for the rest.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
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

// The integer a C caller passed for an enum parameter. C may pass any int (e.g. kind 4), but in
// C++ loading a value outside the enumerators' range is undefined (UBSan flags it), so the
// entry point reads the parameter's bytes instead of the enum.
template <typename E>
long long enum_value(const E& parameter) {
  std::underlying_type_t<E> raw;
  static_assert(sizeof(raw) == sizeof(E));
  std::memcpy(&raw, &parameter, sizeof(raw));
  return static_cast<long long>(static_cast<std::make_signed_t<decltype(raw)>>(raw));
}

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
