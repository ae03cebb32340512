// AIPP (AI pre-processing) configuration: the `--insert_op_conf` file of `atc`
// (../shared/spec/aipp.md). Parsing (protobuf text format of `InsertNewOps`), the converter's
// default filling (spec §2), range validation, and the binary dynamic-AIPP parameter block (§9).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace kiln::aipp {

enum class Mode : int { kUndefined = 0, kStatic = 1, kDynamic = 2 };

// Values are the spec's `InputFormat` / AscendCL `aclAippInputFormat` numbers.
enum class InputFormat : int {
  kUndefined = 0,
  kYuv420spU8 = 1,
  kXrgb8888U8 = 2,
  kRgb888U8 = 3,
  kYuv400U8 = 4,
  kArgb8888U8 = 7,
  kYuyvU8 = 8,
  kYuv422spU8 = 9,
  kAyuv444U8 = 10,
};
const char* input_format_name(InputFormat f);

// One `aipp_op` block after defaults were filled (spec §2). Every field of the spec's table.
struct Params {
  Mode mode = Mode::kUndefined;
  uint32_t related_input_rank = 0;
  std::string related_input_name;  // wins over the rank when non-empty
  std::optional<uint32_t> input_edge_idx;
  uint32_t max_src_image_size = 0;  // dynamic mode
  bool support_rotation = false;

  InputFormat input_format = InputFormat::kUndefined;
  bool csc_switch = false;
  bool rbuv_swap_switch = false;
  bool ax_swap_switch = false;
  bool single_line_mode = false;
  int32_t src_image_size_w = 0, src_image_size_h = 0;
  bool crop = false;
  int32_t load_start_pos_w = 0, load_start_pos_h = 0, crop_size_w = 0, crop_size_h = 0;
  bool resize = false;
  int32_t resize_output_w = 0, resize_output_h = 0;
  bool padding = false;
  int32_t left_padding_size = 0, right_padding_size = 0, top_padding_size = 0, bottom_padding_size = 0;
  float padding_value = 0;
  float cpadding_value = 0;
  std::array<int32_t, 4> mean_chn{0, 0, 0, 0};
  std::array<float, 4> min_chn{0, 0, 0, 0};
  std::array<float, 4> var_reci_chn{1, 1, 1, 1};
  std::array<int32_t, 9> matrix{};  // r0c0 r0c1 r0c2 r1c0 ... r2c2, 8 fractional bits
  std::array<int32_t, 3> output_bias{};
  std::array<int32_t, 3> input_bias{};
  uint32_t raw_rgbir_to_f16_n = 0;

  // Channels a pixel of `input_format` carries (YUV420SP: 3, RGB888: 3, XRGB: 4, YUV400: 1).
  int source_channels() const;
  // Bytes of one raw image of `w` x `h` in `input_format` (YUV420SP: w*h*3/2).
  int64_t image_bytes(int64_t w, int64_t h) const;
};

struct Config {
  std::vector<Params> ops;  // one per `aipp_op` block, in file order
  // Accepted oddities the caller should print ("aipp.cfg:9: rotation_angle is not a field ...").
  std::vector<std::string> warnings;
};

// The crop window of a static-style block (the whole source when crop is off): x, y, w, h.
struct CropWindow {
  int32_t x = 0, y = 0, w = 0, h = 0;
};
CropWindow crop_window(const Params& p);

// The raw-byte dims of N images ("V2" of spec §7): YUV420SP [N, H*3/2, W, 1], RGB888 [N, H, W, 3],
// XRGB8888 [N, H, W, 4], YUV400 [N, H, W, 1] (W, H = src_image_size_w/h). N may be -1.
std::vector<int64_t> raw_image_dims(const Params& p, int64_t n);

// Static AIPP on a network with a dynamic H/W (--dynamic_image_size, spec §4.1): src sizes stay 0
// and the raw image size follows the gear chosen at run time.
bool follows_image_size(const Params& p);
// Raw-dims rows per image row as a fraction {num, den}: YUV420SP {3, 2}, YUV422SP {2, 1}, else {1, 1}.
std::array<int64_t, 2> rows_per_image_height(const Params& p);
// Sets src_image_size_w/h from the raw image dims [N, rows, W, ch] of a follows_image_size() block
// (checking the channel dim and the rows); `what` names the node in messages.
Status resolve_size_from_image(Params& p, const std::vector<int64_t>& raw_dims, const std::string& what);

// Parses the text of an `--insert_op_conf` file. `file` names it in messages
// ("aipp.cfg:12: unknown field 'foo' in aipp_op"). Fills defaults (§2) and validates every
// range that does not depend on the model (§1.3); model-dependent checks are in
// `validate_against_input`.
Expected<Config> parse_config(const std::string& text, const std::string& file);
Expected<Config> read_config_file(const std::string& path);

// Checks a block against the network input it applies to (NCHW or NHWC dims of the original
// model input, N may be -1) — geometry rule §4.3, channel count §3 — and resolves src sizes of 0
// to the network's W/H (§4.1). `input_name` is used in messages.
Status validate_against_input(Params& p, const std::vector<int64_t>& nchw_dims, const std::string& input_name);

// Dynamic AIPP parameter block (§9): 64-byte header + 96 bytes per batch element.
constexpr size_t kDynamicHeaderBytes = 64;
constexpr size_t kDynamicBatchBytes = 96;
inline size_t dynamic_block_bytes(int64_t batch) { return kDynamicHeaderBytes + kDynamicBatchBytes * static_cast<size_t>(batch); }
// Decodes the block for batch element `b` into static-style Params (validating every field).
Expected<Params> decode_dynamic_block(const uint8_t* data, size_t bytes, int64_t b);
// Encodes per-batch parameters (the runtime's aclmdlSetInputAIPP; header fields from params[0]).
std::vector<uint8_t> encode_dynamic_block(const std::vector<Params>& per_batch);

// The parameters as JSON text (for `.om` metadata, `atc --mode=1`, `kiln info`) and back.
std::string to_json(const Params& p);
Expected<Params> from_json(const std::string& json, const std::string& what);

}  // namespace kiln::aipp
