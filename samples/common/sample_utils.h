// Small helpers shared by the C++ samples: logging macros in the style of the Ascend samples,
// reading a whole binary file, and printing the top-k classes of a float score vector.
// Header-only and C++11, like the applications it stands in for.
#ifndef KILN_SAMPLES_SAMPLE_UTILS_H_
#define KILN_SAMPLES_SAMPLE_UTILS_H_

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "acl/acl.h"

#define INFO_LOG(fmt, ...) std::fprintf(stdout, "[INFO]  " fmt "\n", ##__VA_ARGS__)
#define WARN_LOG(fmt, ...) std::fprintf(stdout, "[WARN]  " fmt "\n", ##__VA_ARGS__)
#define ERROR_LOG(fmt, ...) std::fprintf(stderr, "[ERROR] " fmt "\n", ##__VA_ARGS__)

// Evaluates an AscendCL call; on failure logs the call, its code and the library's explanation
// and returns `onError` from the enclosing function.
#define ACL_CHECK(call, onError)                                                              \
  do {                                                                                        \
    aclError ret_ = (call);                                                                   \
    if (ret_ != ACL_SUCCESS) {                                                                \
      ERROR_LOG("%s failed, errorCode = %d: %s", #call, static_cast<int>(ret_), aclGetRecentErrMsg()); \
      return onError;                                                                         \
    }                                                                                         \
  } while (0)

namespace sample {

inline bool ReadFile(const std::string& path, std::vector<char>* bytes) {
  std::ifstream in(path.c_str(), std::ios::binary | std::ios::ate);
  if (!in) {
    ERROR_LOG("cannot open file %s", path.c_str());
    return false;
  }
  const std::streamsize size = in.tellg();
  in.seekg(0);
  bytes->resize(static_cast<size_t>(size));
  if (size > 0 && !in.read(bytes->data(), size)) {
    ERROR_LOG("cannot read file %s", path.c_str());
    return false;
  }
  return true;
}

// Prints "top k: index score" lines for one picture's scores, highest first.
inline void PrintTopK(const float* scores, size_t count, size_t k, const std::string& title) {
  std::vector<std::pair<float, size_t>> ranked(count);
  for (size_t i = 0; i < count; ++i) ranked[i] = std::make_pair(scores[i], i);
  k = std::min(k, count);
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k), ranked.end(),
                    [](const std::pair<float, size_t>& a, const std::pair<float, size_t>& b) {
                      return a.first > b.first || (a.first == b.first && a.second < b.second);
                    });
  INFO_LOG("%s", title.c_str());
  for (size_t i = 0; i < k; ++i) {
    INFO_LOG("  top %zu: index[%zu] value[%f]", i + 1, ranked[i].second, ranked[i].first);
  }
}

}  // namespace sample

#endif  // KILN_SAMPLES_SAMPLE_UTILS_H_
