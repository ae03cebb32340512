// Inserts AIPP in front of one model input (../shared/spec/aipp.md §7, §9): the input becomes the
// raw uint8 image and a kiln.Aipp node computes the tensor the network expected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/aipp_config.h"
#include "core/status.h"
#include "ir/graph.h"

namespace kiln::aipp {

// Layout of the original network input the AIPP output replaces.
enum class NetworkLayout { kNCHW, kNHWC };

struct Insertion {
  std::string data_input;             // name of the (replaced) raw-image graph input
  std::vector<int64_t> dims_v1;       // [N, src_h, src_w, C] (N may be -1; src -1 with a dynamic H/W)
  std::vector<int64_t> dims_v2;       // raw-byte dims, e.g. YUV420SP [N, src_h*3/2, src_w, 1]
  int64_t bytes = 0;                  // at N (the largest gear when N is dynamic: caller scales);
                                      // 0 with --dynamic_image_size (H, W of the gear decide)
  std::string param_input;            // dynamic AIPP: the `ascend_dynamic_aipp_data` graph input, else ""
  int64_t param_bytes = 0;            // 64 + 96*N for dynamic AIPP
};

// `params` selects its input by related_input_name/rank among the graph inputs (initializer-backed
// inputs excluded); it is validated against that input and its src sizes resolved (so the caller
// stores the resolved params). Types must have been inferred. Fails (naming the input and field)
// on rank != 4, non-float input, channel mismatch, geometry rule violations, or an input that
// already has AIPP.
Expected<Insertion> insert_aipp(ir::Model& model, Params& params, NetworkLayout layout);

}  // namespace kiln::aipp
