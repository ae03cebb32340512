// Whole-file I/O. Writes go to a temporary file in the same folder and are renamed into place,
// so a reader never sees a half-written file and a failure leaves the old file intact.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace kiln {

Expected<std::string> read_file(const std::string& path);
Status write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace kiln
