// Helpers of the AIPP tests: a straightforward AIPP written independently of both kernels (whole
// source image -> channel planes -> CSC in double -> crop -> normalise -> pad), random raw images,
// and a one-node kiln.Aipp model run on a chosen backend.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "converter/aipp_config.h"
#include "runtime/session.h"

namespace kiln::aipp::test {

inline Params parse_params(const std::string& text) {
  auto cfg = parse_config(text, "test.cfg");
  EXPECT_TRUE(cfg.has_value()) << cfg.status().message();
  return cfg ? cfg->ops.at(0) : Params{};
}

inline std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng() & 0xff);
  return v;
}

// One image (src_w x src_h of p.input_format) -> float network tensor [C, H, W] (NCHW order).
inline std::vector<float> straightforward_aipp(const Params& p, const uint8_t* img, int64_t C, int64_t H, int64_t W) {
  const int64_t sw = p.src_image_size_w, sh = p.src_image_size_h;
  // 1. Whole source as 4 channel planes, in the spec's channel order after swaps.
  std::vector<std::array<double, 4>> px(static_cast<size_t>(sw * sh));
  for (int64_t y = 0; y < sh; ++y) {
    for (int64_t x = 0; x < sw; ++x) {
      std::array<double, 4> c{};
      switch (p.input_format) {
        case InputFormat::kYuv420spU8: {
          const uint8_t* chroma = img + sw * sh;
          const double u = chroma[(y / 2) * sw + (x / 2) * 2], v = chroma[(y / 2) * sw + (x / 2) * 2 + 1];
          c = {double(img[y * sw + x]), p.rbuv_swap_switch ? v : u, p.rbuv_swap_switch ? u : v, 0};
          break;
        }
        case InputFormat::kRgb888U8: {
          const uint8_t* q = img + 3 * (y * sw + x);
          c = p.rbuv_swap_switch ? std::array<double, 4>{double(q[2]), double(q[1]), double(q[0]), 0}
                                 : std::array<double, 4>{double(q[0]), double(q[1]), double(q[2]), 0};
          break;
        }
        case InputFormat::kXrgb8888U8: {
          const uint8_t* q = img + 4 * (y * sw + x);
          const uint8_t* colour = p.ax_swap_switch ? q + 1 : q;
          const double alpha = p.ax_swap_switch ? q[0] : q[3];
          c = {double(colour[0]), double(colour[1]), double(colour[2]), alpha};
          if (p.rbuv_swap_switch) std::swap(c[0], c[2]);
          break;
        }
        default:
          c = {double(img[y * sw + x]), 0, 0, 0};
      }
      // 2. CSC (§5.2) in double with floor (== arithmetic >> 8) and saturation.
      if (p.csc_switch) {
        const bool yuv = p.input_format == InputFormat::kYuv420spU8;
        std::array<double, 4> o = c;
        for (int k = 0; k < 3; ++k) {
          double s = 0;
          for (int j = 0; j < 3; ++j) s += p.matrix[3 * k + j] * (yuv ? c[j] - p.input_bias[j] : c[j]);
          double v = std::floor(s / 256.0) + (yuv ? 0 : p.output_bias[k]);
          o[k] = std::min(255.0, std::max(0.0, v));
        }
        c = o;
      }
      px[static_cast<size_t>(y * sw + x)] = c;
    }
  }
  // 3. Crop.
  const int64_t x0 = p.crop ? p.load_start_pos_w : 0, y0 = p.crop ? p.load_start_pos_h : 0;
  const int64_t cw = p.crop ? p.crop_size_w : sw, ch = p.crop ? p.crop_size_h : sh;
  std::vector<std::array<double, 4>> region(static_cast<size_t>(cw * ch));
  for (int64_t y = 0; y < ch; ++y)
    for (int64_t x = 0; x < cw; ++x) region[static_cast<size_t>(y * cw + x)] = px[static_cast<size_t>((y0 + y) * sw + x0 + x)];
  // 4. Resize (§5.4): bilinear, half-pixel centres, edge-clamped, rounded to nearest, clipped.
  int64_t rw = cw, rh = ch;
  if (p.resize) {
    rw = p.resize_output_w, rh = p.resize_output_h;
    auto src_coord = [](int64_t o, int64_t in, int64_t out, int64_t& a, int64_t& b, double& t) {
      const double f = std::max(0.0, (o + 0.5) * double(in) / double(out) - 0.5);
      a = std::min<int64_t>(static_cast<int64_t>(f), in - 1);
      b = std::min<int64_t>(a + 1, in - 1);
      t = a == in - 1 ? 0.0 : f - double(a);
    };
    std::vector<std::array<double, 4>> scaled(static_cast<size_t>(rw * rh));
    for (int64_t y = 0; y < rh; ++y) {
      for (int64_t x = 0; x < rw; ++x) {
        int64_t xa, xb, ya, yb;
        double tx, ty;
        src_coord(x, cw, rw, xa, xb, tx);
        src_coord(y, ch, rh, ya, yb, ty);
        for (int k = 0; k < 4; ++k) {
          auto at = [&](int64_t xx, int64_t yy) { return region[static_cast<size_t>(yy * cw + xx)][k]; };
          const double v = (1 - ty) * ((1 - tx) * at(xa, ya) + tx * at(xb, ya)) + ty * ((1 - tx) * at(xa, yb) + tx * at(xb, yb));
          scaled[static_cast<size_t>(y * rw + x)][k] = std::min(255.0, std::max(0.0, std::floor(v + 0.5)));
        }
      }
    }
    region = std::move(scaled);
  }
  // 5. Normalise, pad.
  std::vector<float> out(static_cast<size_t>(C * H * W));
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t y = 0; y < H; ++y) {
      for (int64_t x = 0; x < W; ++x) {
        const int64_t ix = x - p.left_padding_size, iy = y - p.top_padding_size;
        double v = p.padding_value;
        if (ix >= 0 && ix < rw && iy >= 0 && iy < rh) {
          v = (region[static_cast<size_t>(iy * rw + ix)][c] - p.mean_chn[c] - p.min_chn[c]) * p.var_reci_chn[c];
        }
        out[static_cast<size_t>((c * H + y) * W + x)] = static_cast<float>(v);
      }
    }
  }
  return out;
}

// [N, C, H, W] -> [N, H, W, C].
inline std::vector<float> to_nhwc(const std::vector<float>& nchw, int64_t N, int64_t C, int64_t H, int64_t W) {
  std::vector<float> out(nchw.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < H * W; ++i) out[static_cast<size_t>((n * H * W + i) * C + c)] = nchw[static_cast<size_t>((n * C + c) * H * W + i)];
  return out;
}

// Builds the one-node model Y = kiln.Aipp(image[, block]).
inline std::shared_ptr<ir::Model> aipp_model(const Params& p, const Shape& image_shape, int64_t C, int64_t H, int64_t W,
                                             bool channels_last, int64_t block_bytes = 0) {
  auto model = std::make_shared<ir::Model>();
  model->path = "aipp_test";
  model->opsets[""] = 17;
  model->opsets["kiln"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* image = g.get_or_create("image");
  image->type = ir::TypeInfo::tensor_of(DType::kUInt8, image_shape);
  image->is_graph_input = true;
  g.inputs.push_back(image);
  std::vector<ir::Value*> ins = {image};
  if (block_bytes > 0) {
    ir::Value* b = g.get_or_create("block");
    b->type = ir::TypeInfo::tensor_of(DType::kUInt8, {block_bytes});
    b->is_graph_input = true;
    g.inputs.push_back(b);
    ins.push_back(b);
  }
  ir::Value* y = g.get_or_create("y");
  g.outputs.push_back(y);
  ir::Node* n = g.add_node("Aipp", "kiln", 1, ins, {y}, "aipp");
  n->attrs["params"].kind = ir::Attribute::Kind::kString;
  n->attrs["params"].s = to_json(p);
  n->attrs["output_chw"].kind = ir::Attribute::Kind::kInts;
  n->attrs["output_chw"].ints = {C, H, W};
  n->attrs["channels_last"].kind = ir::Attribute::Kind::kInt;
  n->attrs["channels_last"].i = channels_last ? 1 : 0;
  EXPECT_TRUE(g.finalize().is_ok());
  return model;
}

inline Tensor bytes_tensor(const std::vector<uint8_t>& v, Shape shape) {
  Tensor t(DType::kUInt8, std::move(shape));
  std::copy(v.begin(), v.end(), t.data<uint8_t>());
  return t;
}

// Runs the model on `backend`; with kCpu also checks that the CPU kernel (not the reference
// fallback) ran the node.
inline Expected<Tensor> run_aipp(std::shared_ptr<ir::Model> model, const std::vector<NamedValue>& feeds, Backend backend) {
  SessionOptions opt;
  opt.backend = backend;
  opt.threads = 2;
  KILN_ASSIGN_OR_RETURN(auto session, Session::create(model, opt));
  if (backend == Backend::kCpu) {
    for (const auto& node : session->model().graph->nodes) {
      if (node->op_type == "Aipp" && session->kernel_kind(*node) != "cpu") return internal_error("Aipp did not run on the CPU kernel");
    }
  }
  KILN_ASSIGN_OR_RETURN(auto outs, session->run(feeds));
  return outs.at(0).tensor();
}

// |got - want| <= |var_reci| * 1 + tiny per element (±1 in the uint8 domain, spec §5.2).
inline void expect_close(const std::vector<float>& want, const Tensor& got, const Params& p, int64_t C, bool channels_last,
                         const std::string& what) {
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size()) << what;
  const float* g = got.data<float>();
  int bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const size_t c = channels_last ? i % static_cast<size_t>(C) : 0;  // NCHW: checked with the largest var below
    float var = 0;
    if (channels_last) {
      var = std::fabs(p.var_reci_chn[c]);
    } else {
      for (int64_t k = 0; k < C; ++k) var = std::max(var, std::fabs(p.var_reci_chn[static_cast<size_t>(k)]));
    }
    const float tol = var * 1.0f + 1e-4f * (1 + std::fabs(want[i]));
    if (!(std::fabs(g[i] - want[i]) <= tol)) {
      if (++bad <= 5) ADD_FAILURE() << what << ": element " << i << " got " << g[i] << " want " << want[i] << " tol " << tol;
    }
  }
  EXPECT_EQ(bad, 0) << what;
}

}  // namespace kiln::aipp::test
