// RNN, GRU and LSTM. All arithmetic is done in double on copies of the inputs; results are
// converted to the input dtype on store. One batch row at a time, so per-row sequence_lens
// need no masking: steps past a row's length leave Y zero and the state unchanged.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "backends/reference/control/control_kernels.h"

namespace kiln::reference {

namespace {

enum class Cell { kRnn, kGru, kLstm };

struct Activation {
  std::string name;  // lower case
  double alpha = 0, beta = 0;
  double operator()(double x) const {
    if (name == "sigmoid") return 1.0 / (1.0 + std::exp(-x));
    if (name == "tanh") return std::tanh(x);
    if (name == "relu") return std::max(0.0, x);
    if (name == "affine") return alpha * x + beta;
    if (name == "leakyrelu") return x >= 0 ? x : alpha * x;
    if (name == "thresholdedrelu") return x > alpha ? x : 0.0;
    if (name == "scaledtanh") return alpha * std::tanh(beta * x);
    if (name == "hardsigmoid") return std::clamp(alpha * x + beta, 0.0, 1.0);
    if (name == "elu") return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
    if (name == "softsign") return x / (1.0 + std::abs(x));
    if (name == "softplus") return std::log1p(std::exp(x));
    return x;
  }
};

// Default alpha/beta for activations that take them; false for unknown names.
bool activation_defaults(const std::string& name, int* n_params, double* alpha, double* beta) {
  struct Row { const char* name; int n; double a, b; };
  static const Row kRows[] = {
      {"sigmoid", 0, 0, 0},     {"tanh", 0, 0, 0},        {"relu", 0, 0, 0},
      {"softsign", 0, 0, 0},    {"softplus", 0, 0, 0},    {"affine", 2, 1.0, 0.0},
      {"leakyrelu", 1, 0.01, 0}, {"thresholdedrelu", 1, 1.0, 0}, {"scaledtanh", 2, 1.0, 1.0},
      {"hardsigmoid", 2, 0.2, 0.5}, {"elu", 1, 1.0, 0},
  };
  for (const Row& r : kRows) {
    if (name == r.name) {
      *n_params = r.n;
      *alpha = r.a;
      *beta = r.b;
      return true;
    }
  }
  return false;
}

std::vector<double> to_doubles(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.as_double(i);
  return v;
}

Status check_shape(const KernelContext& ctx, const Tensor& t, const char* what, const Shape& want) {
  if (t.shape() != want) {
    return ctx.error("{} must have shape [{}], got {}", what, shape_str(want), t.describe());
  }
  return Status::ok();
}

Status run_recurrent(KernelContext& ctx, Cell cell) {
  const int64_t G = cell == Cell::kRnn ? 1 : cell == Cell::kGru ? 3 : 4;
  for (size_t i = 0; i < 3; ++i) {
    if (!ctx.has_input(i) || !ctx.input_value(i).is_tensor()) return ctx.error("input {} (X, W, R) is required", i);
  }
  const Tensor& X = ctx.input(0);
  const Tensor& W = ctx.input(1);
  const Tensor& R = ctx.input(2);
  if (!dtype_is_float(X.dtype())) return ctx.error("X must be a float tensor, got {}", dtype_name(X.dtype()));
  if (X.rank() != 3 || W.rank() != 3 || R.rank() != 3) {
    return ctx.error("X, W, R must have rank 3, got {}, {}, {}", X.describe(), W.describe(), R.describe());
  }
  const std::string direction = ctx.node().attr_string("direction", "forward");
  int64_t D = 1;
  if (direction == "bidirectional") {
    D = 2;
  } else if (direction != "forward" && direction != "reverse") {
    return ctx.error("direction must be forward, reverse or bidirectional, got '{}'", direction);
  }
  const int64_t layout = ctx.opset() >= 14 ? ctx.node().attr_int("layout", 0) : 0;
  if (layout != 0 && layout != 1) return ctx.error("layout must be 0 or 1, got {}", layout);
  const int64_t S = layout == 0 ? X.dim(0) : X.dim(1);
  const int64_t B = layout == 0 ? X.dim(1) : X.dim(0);
  const int64_t I = X.dim(2);
  const int64_t H = ctx.node().has_attr("hidden_size") ? ctx.node().attr_int("hidden_size", 0) : W.dim(1) / G;
  if (H <= 0) return ctx.error("hidden_size must be positive, got {}", H);
  KILN_TRY(check_shape(ctx, W, "W", {D, G * H, I}));
  KILN_TRY(check_shape(ctx, R, "R", {D, G * H, H}));
  const Shape state_shape = layout == 0 ? Shape{D, B, H} : Shape{B, D, H};

  std::vector<double> x = to_doubles(X), w = to_doubles(W), r = to_doubles(R);
  std::vector<double> bias(static_cast<size_t>(D * 2 * G * H), 0.0);
  if (ctx.has_input(3)) {
    KILN_TRY(check_shape(ctx, ctx.input(3), "B", {D, 2 * G * H}));
    bias = to_doubles(ctx.input(3));
  }
  std::vector<int64_t> lens(static_cast<size_t>(B), S);
  if (ctx.has_input(4)) {
    const Tensor& sl = ctx.input(4);
    if (sl.numel() != B || !dtype_is_integer(sl.dtype())) {
      return ctx.error("sequence_lens must be an integer tensor of {} elements, got {}", B, sl.describe());
    }
    for (int64_t b = 0; b < B; ++b) {
      lens[static_cast<size_t>(b)] = sl.as_int64(b);
      if (lens[static_cast<size_t>(b)] < 0 || lens[static_cast<size_t>(b)] > S) {
        return ctx.error("sequence_lens[{}] = {} is outside [0, {}]", b, lens[static_cast<size_t>(b)], S);
      }
    }
  }
  std::vector<double> h0(static_cast<size_t>(D * B * H), 0.0), c0(h0.size(), 0.0);
  if (ctx.has_input(5)) {
    KILN_TRY(check_shape(ctx, ctx.input(5), "initial_h", state_shape));
    h0 = to_doubles(ctx.input(5));
  }
  std::vector<double> peep(static_cast<size_t>(D * 3 * H), 0.0);
  if (cell == Cell::kLstm) {
    if (ctx.has_input(6)) {
      KILN_TRY(check_shape(ctx, ctx.input(6), "initial_c", state_shape));
      c0 = to_doubles(ctx.input(6));
    }
    if (ctx.has_input(7)) {
      KILN_TRY(check_shape(ctx, ctx.input(7), "P", {D, 3 * H}));
      peep = to_doubles(ctx.input(7));
    }
  }

  // Activations: per direction RNN 1 (f), GRU 2 (f, g), LSTM 3 (f, g, h).
  const size_t per_dir = cell == Cell::kRnn ? 1 : cell == Cell::kGru ? 2 : 3;
  std::vector<std::string> names = ctx.node().attr_strings("activations");
  if (names.empty()) {
    const char* defaults[] = {"Sigmoid", "Tanh", "Tanh"};
    for (int64_t d = 0; d < D; ++d) {
      if (cell == Cell::kRnn) {
        names.push_back("Tanh");
      } else {
        for (size_t k = 0; k < per_dir; ++k) names.push_back(defaults[k]);
      }
    }
  }
  if (names.size() == per_dir && D == 2) {
    for (size_t k = 0; k < per_dir; ++k) names.push_back(names[k]);
  }
  if (names.size() != per_dir * static_cast<size_t>(D)) {
    return ctx.error("activations needs {} entries, got {}", per_dir * static_cast<size_t>(D), names.size());
  }
  const std::vector<float> alphas = ctx.node().attr_floats("activation_alpha");
  const std::vector<float> betas = ctx.node().attr_floats("activation_beta");
  size_t next_alpha = 0, next_beta = 0;
  std::vector<Activation> acts;
  for (const std::string& n : names) {
    Activation a;
    for (char ch : n) a.name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    int n_params = 0;
    if (!activation_defaults(a.name, &n_params, &a.alpha, &a.beta)) {
      return ctx.error("unsupported activation '{}'", n);
    }
    if (n_params >= 1 && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (n_params >= 2 && next_beta < betas.size()) a.beta = betas[next_beta++];
    acts.push_back(a);
  }
  const bool has_clip = ctx.node().has_attr("clip");
  const double clip = ctx.node().attr_float("clip", 0.0f);
  auto clipped = [&](double v) { return has_clip ? std::clamp(v, -clip, clip) : v; };
  const bool linear_before_reset = ctx.node().attr_int("linear_before_reset", 0) != 0;
  const bool input_forget = ctx.node().attr_int("input_forget", 0) != 0;

  std::vector<double> y(static_cast<size_t>(S * D * B * H), 0.0);
  std::vector<double> yh(static_cast<size_t>(D * B * H), 0.0), yc(yh.size(), 0.0);
  auto x_at = [&](int64_t t, int64_t b) { return &x[static_cast<size_t>((layout == 0 ? t * B + b : b * S + t) * I)]; };
  auto y_at = [&](int64_t t, int64_t d, int64_t b) {
    return &y[static_cast<size_t>((layout == 0 ? (t * D + d) * B + b : (b * S + t) * D + d) * H)];
  };
  auto state_off = [&](int64_t d, int64_t b) { return static_cast<size_t>((layout == 0 ? d * B + b : b * D + d) * H); };

  std::vector<double> gx(static_cast<size_t>(G * H)), gh(static_cast<size_t>(G * H));
  std::vector<double> h(static_cast<size_t>(H)), c(static_cast<size_t>(H)), hn(static_cast<size_t>(H)),
      rgate(static_cast<size_t>(H));
  for (int64_t d = 0; d < D; ++d) {
    const bool reverse = direction == "reverse" || d == 1;
    const double* wd = &w[static_cast<size_t>(d * G * H * I)];
    const double* rd = &r[static_cast<size_t>(d * G * H * H)];
    const double* wb = &bias[static_cast<size_t>(d * 2 * G * H)];
    const double* rb = wb + G * H;
    const double* pd = &peep[static_cast<size_t>(d * 3 * H)];
    const Activation& f = acts[static_cast<size_t>(d) * per_dir];
    const Activation& g = acts[static_cast<size_t>(d) * per_dir + (per_dir > 1 ? 1 : 0)];
    const Activation& ha = acts[static_cast<size_t>(d) * per_dir + (per_dir > 2 ? 2 : 0)];
    for (int64_t b = 0; b < B; ++b) {
      const size_t so = state_off(d, b);
      std::copy(h0.begin() + static_cast<std::ptrdiff_t>(so), h0.begin() + static_cast<std::ptrdiff_t>(so + H), h.begin());
      std::copy(c0.begin() + static_cast<std::ptrdiff_t>(so), c0.begin() + static_cast<std::ptrdiff_t>(so + H), c.begin());
      const int64_t len = lens[static_cast<size_t>(b)];
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = reverse ? len - 1 - step : step;
        const double* xt = x_at(t, b);
        // gx = W x + Wb, gh = R h + Rb (per gate row).
        for (int64_t row = 0; row < G * H; ++row) {
          double sx = wb[row], sh = rb[row];
          const double* wr = wd + row * I;
          for (int64_t k = 0; k < I; ++k) sx += wr[k] * xt[k];
          const double* rr = rd + row * H;
          for (int64_t k = 0; k < H; ++k) sh += rr[k] * h[static_cast<size_t>(k)];
          gx[static_cast<size_t>(row)] = sx;
          gh[static_cast<size_t>(row)] = sh;
        }
        if (cell == Cell::kRnn) {
          for (int64_t j = 0; j < H; ++j) hn[static_cast<size_t>(j)] = f(clipped(gx[static_cast<size_t>(j)] + gh[static_cast<size_t>(j)]));
        } else if (cell == Cell::kGru) {
          // Gate order z, r, h.
          for (int64_t j = 0; j < H; ++j) {
            const size_t rj = static_cast<size_t>(H + j);
            rgate[static_cast<size_t>(j)] = f(clipped(gx[rj] + gh[rj]));
          }
          for (int64_t j = 0; j < H; ++j) {
            const size_t zj = static_cast<size_t>(j), hj = static_cast<size_t>(2 * H + j);
            const double z = f(clipped(gx[zj] + gh[zj]));
            double pre;
            if (linear_before_reset) {
              pre = gx[hj] + rgate[static_cast<size_t>(j)] * gh[hj];
            } else {
              // (r . h) R_h^T + Rb_h.
              double s = rb[hj];
              const double* rr = rd + static_cast<int64_t>(hj) * H;
              for (int64_t k = 0; k < H; ++k) s += rr[k] * rgate[static_cast<size_t>(k)] * h[static_cast<size_t>(k)];
              pre = gx[hj] + s;
            }
            const double ht = g(clipped(pre));
            hn[static_cast<size_t>(j)] = (1.0 - z) * ht + z * h[static_cast<size_t>(j)];
          }
        } else {
          // Gate order i, o, f, c; peepholes i, o, f.
          for (int64_t j = 0; j < H; ++j) {
            const size_t ij = static_cast<size_t>(j), oj = static_cast<size_t>(H + j);
            const size_t fj = static_cast<size_t>(2 * H + j), cj = static_cast<size_t>(3 * H + j);
            const double cprev = c[static_cast<size_t>(j)];
            const double ig = f(clipped(gx[ij] + gh[ij] + pd[j] * cprev));
            const double fg = input_forget ? 1.0 - ig : f(clipped(gx[fj] + gh[fj] + pd[2 * H + j] * cprev));
            const double cg = g(clipped(gx[cj] + gh[cj]));
            const double cnew = fg * cprev + ig * cg;
            const double og = f(clipped(gx[oj] + gh[oj] + pd[H + j] * cnew));
            c[static_cast<size_t>(j)] = cnew;
            hn[static_cast<size_t>(j)] = og * ha(cnew);
          }
        }
        h = hn;
        std::copy(h.begin(), h.end(), y_at(t, d, b));
      }
      std::copy(h.begin(), h.end(), yh.begin() + static_cast<std::ptrdiff_t>(so));
      std::copy(c.begin(), c.end(), yc.begin() + static_cast<std::ptrdiff_t>(so));
    }
  }

  const DType dt = X.dtype();
  auto store = [&](size_t i, const std::vector<double>& v, const Shape& shape) {
    if (i < ctx.num_outputs() && ctx.wants_output(i)) {
      ctx.set_output(i, cast_tensor(Tensor::from_vector<double>(v, shape), dt));
    }
  };
  store(0, y, layout == 0 ? Shape{S, D, B, H} : Shape{B, S, D, H});
  store(1, yh, state_shape);
  if (cell == Cell::kLstm) store(2, yc, state_shape);
  return Status::ok();
}

}  // namespace

Status rnn(KernelContext& ctx) { return run_recurrent(ctx, Cell::kRnn); }
Status gru(KernelContext& ctx) { return run_recurrent(ctx, Cell::kGru); }
Status lstm(KernelContext& ctx) { return run_recurrent(ctx, Cell::kLstm); }

}  // namespace kiln::reference
