// kiln.Aipp(image, params?) -> Y: AI pre-processing (../shared/spec/aipp.md §5) inserted in front of
// a model input by the converter (converter/insert_aipp.h).
//
//   image   uint8. Static AIPP: the raw images as their raw-byte dims ("V2", §7), e.g. NV12
//           [N, H*3/2, W, 1], RGB888 [N, H, W, 3]. Dynamic AIPP: the raw bytes as 1-D
//           [max_src_image_size]; the images of the batch are concatenated at the start.
//   params  (dynamic AIPP only) uint8 [64 + 96*N], the parameter block of §9; N follows from it.
//   Y       float32 [N, C, H, W], or [N, H, W, C] with channels_last = 1.
// Attributes: `params` (string, aipp::to_json of the resolved Params), `output_chw` (ints: the
// network input's C, H, W), `channels_last` (int 0/1). With --dynamic_image_size (static AIPP,
// src sizes 0) H and W are -1: the output takes the raw image's size, W = image dim 2 and
// H = image dim 1 * den / num with `rows_per_height` = [num, den] ([3, 2] for YUV420SP).

#include "ops/kiln/kiln_ops.h"

namespace kiln {

Status infer_aipp(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (the raw image) is required");
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.elem != DType::kUInt8) return ctx.error("the raw image must be uint8, got {}", x.str());
  const std::vector<int64_t> chw = ctx.node().attr_ints("output_chw");
  const bool follows_image = chw.size() == 3 && chw[1] == -1 && chw[2] == -1;
  if (chw.size() != 3 || chw[0] < 1 || chw[0] > 4 || (!follows_image && (chw[1] <= 0 || chw[2] <= 0))) {
    return ctx.error("attribute output_chw must be [C, H, W] with C in 1..4 and H, W > 0 (or both -1), got {}", shape_str(chw));
  }
  const std::vector<int64_t> rows = ctx.node().attr_ints("rows_per_height", {1, 1});
  if (rows.size() != 2 || rows[0] <= 0 || rows[1] <= 0) return ctx.error("attribute rows_per_height must be [num, den] > 0");
  if (!ctx.node().has_attr("params")) return ctx.error("attribute params (the AIPP parameters as JSON) is required");
  ir::Dim n;
  if (ctx.has_input(1)) {
    const ir::TypeInfo& block = ctx.input_type(1);
    if (block.elem != DType::kUInt8 || (block.dims && block.dims->size() != 1)) {
      return ctx.error("the dynamic AIPP parameter block must be 1-D uint8, got {}", block.str());
    }
    if (x.dims && x.dims->size() != 1) return ctx.error("with dynamic AIPP the raw image must be 1-D bytes, got {}", x.str());
    if (block.dims && (*block.dims)[0].known()) {
      const int64_t bytes = (*block.dims)[0].value;
      if (bytes < 64 + 96 || (bytes - 64) % 96 != 0) {
        return ctx.error("the dynamic AIPP parameter block has {} bytes, expected 64 + 96*N", bytes);
      }
      n = ir::Dim((bytes - 64) / 96);
    }
  } else {
    if (x.dims && x.dims->size() != 4) return ctx.error("the raw image must be [N, rows, W, bytes per pixel], got {}", x.str());
    if (x.dims) n = (*x.dims)[0];
  }
  ir::Dim h(chw[1]), w(chw[2]);
  if (follows_image) {
    if (ctx.has_input(1)) return ctx.error("dynamic AIPP needs a static output H and W");
    h = w = ir::Dim();
    if (x.dims) {
      const ir::Dim& r = (*x.dims)[1];
      if (rows[0] == 1 && rows[1] == 1) h = r;  // keeps a symbolic height's name
      else if (r.known()) h = ir::Dim(r.value * rows[1] / rows[0]);
      w = (*x.dims)[2];
    }
  }
  std::vector<ir::Dim> dims = {n, ir::Dim(chw[0]), h, w};
  if (ctx.node().attr_int("channels_last", 0) != 0) dims = to_channels_last(dims);
  ctx.set_output(0, ir::TypeInfo::tensor(DType::kFloat32, dims));
  return Status::ok();
}

}  // namespace kiln
