// Cast between float32, float16, int32, int64, uint8 and bool, and Where (bool condition, any
// fixed-size element type, broadcasting). Plain loops: these ops mostly touch masks and small
// index tensors; the work is in matching core's conversion rules exactly.
#include <cstring>
#include <limits>
#include <memory>

#include "backends/cpu/elementwise/broadcast.h"
#include "backends/cpu/elementwise/ops.h"
#include "core/half.h"
#include "ops/elementwise/elementwise_ops.h"

namespace kiln::cpu::elementwise {

namespace {

bool cast_type_ok(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kInt32 || t == DType::kInt64 ||
         t == DType::kUInt8 || t == DType::kBool;
}

// core's rule for float -> integer: truncate; NaN gives 0; beyond int64 saturate, then wrap into
// the narrower type.
template <typename To>
To float_to_int(float v) {
  if (v != v) return To(0);
  int64_t i;
  if (v >= 9223372036854775808.0f) i = std::numeric_limits<int64_t>::max();
  else if (v <= -9223372036854775808.0f) i = std::numeric_limits<int64_t>::min();
  else i = static_cast<int64_t>(v);
  return static_cast<To>(i);
}

template <typename From, typename To>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return static_cast<float>(v) != 0.0f;  // exact for every From here (ints compare != 0)
  } else if constexpr (std::is_same_v<From, float16>) {
    if constexpr (std::is_integral_v<To>) return float_to_int<To>(static_cast<float>(v));
    else return static_cast<To>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, float16>) {
    return float16(static_cast<float>(v));  // only float32 and bool/uint8 reach here (exact in float)
  } else if constexpr (std::is_same_v<From, float> && std::is_integral_v<To>) {
    return float_to_int<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

template <typename From, typename To>
void cast_loop(const void* src, void* dst, int64_t n) {
  const From* s = static_cast<const From*>(src);
  To* d = static_cast<To*>(dst);
  parallel_for(
      n,
      [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) d[i] = convert<From, To>(s[i]);
      },
      kParallelMin / 2);
}

using CastFn = void (*)(const void*, void*, int64_t);

template <typename From>
CastFn cast_fn_to(DType to) {
  switch (to) {
    case DType::kFloat32: return cast_loop<From, float>;
    case DType::kFloat16: return cast_loop<From, float16>;
    case DType::kInt32: return cast_loop<From, int32_t>;
    case DType::kInt64: return cast_loop<From, int64_t>;
    case DType::kUInt8: return cast_loop<From, uint8_t>;
    case DType::kBool: return cast_loop<From, bool>;
    default: return nullptr;
  }
}

CastFn cast_fn(DType from, DType to) {
  // float16 only to/from float32 (and from bool/uint8): wide integers round through double in core.
  if (to == DType::kFloat16 && (from == DType::kInt32 || from == DType::kInt64)) return nullptr;
  switch (from) {
    case DType::kFloat32: return cast_fn_to<float>(to);
    case DType::kFloat16: return cast_fn_to<float16>(to);
    case DType::kInt32: return cast_fn_to<int32_t>(to);
    case DType::kInt64: return cast_fn_to<int64_t>(to);
    case DType::kUInt8: return cast_fn_to<uint8_t>(to);
    case DType::kBool: return cast_fn_to<bool>(to);
    default: return nullptr;
  }
}

class CastKernel : public OpKernel {
 public:
  CastKernel(DType from, DType to, CastFn fn) : from_(from), to_(to), fn_(fn) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != from_) return run_reference(ctx);
    if (from_ == to_) {
      ctx.set_output(0, ctx.input_value(0));  // values are immutable: share the input
      return Status::ok();
    }
    Tensor& y = ctx.allocate_output_uninit(0, to_, x.shape());
    fn_(x.raw(), y.raw(), x.numel());
    return Status::ok();
  }

 private:
  DType from_, to_;
  CastFn fn_;
};

// z = cond ? x : y on elements of T (an unsigned integer of the element's size: values are
// copied, never interpreted).
template <typename T>
void where_runs(const BroadcastPlan<3>& plan, const bool* c, const T* x, const T* y, T* z) {
  const bool rc = plan.repeat[0], rx = plan.repeat[1], ry = plan.repeat[2];
  for_each_run(plan, [&](const int64_t* off, int64_t o, int64_t len) {
    const bool* pc = c + off[0];
    const T* px = x + off[1];
    const T* py = y + off[2];
    T* pz = z + o;
    if (!rc && !rx && !ry) {
      for (int64_t i = 0; i < len; ++i) pz[i] = pc[i] ? px[i] : py[i];
    } else {
      for (int64_t i = 0; i < len; ++i) pz[i] = pc[rc ? 0 : i] ? px[rx ? 0 : i] : py[ry ? 0 : i];
    }
  });
}

class WhereKernel : public OpKernel {
 public:
  explicit WhereKernel(DType t) : dtype_(t) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& c = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    if (c.dtype() != DType::kBool || x.dtype() != dtype_ || y.dtype() != dtype_) return run_reference(ctx);
    auto s = broadcast_shapes(c.shape(), x.shape());
    if (s) s = broadcast_shapes(*s, y.shape());
    BroadcastPlan<3> plan;
    const Shape* ins[3] = {&c.shape(), &x.shape(), &y.shape()};
    if (!s || !plan_broadcast(*s, ins, plan)) return run_reference(ctx);
    Tensor& z = ctx.allocate_output_uninit(0, dtype_, *s);
    if (z.numel() == 0) return Status::ok();
    const bool* pc = c.data<bool>();
    switch (dtype_size(dtype_)) {
      case 1: where_runs(plan, pc, x.data<uint8_t>(), y.data<uint8_t>(), z.data<uint8_t>()); break;
      case 2: where_runs(plan, pc, x.data<uint16_t>(), y.data<uint16_t>(), z.data<uint16_t>()); break;
      case 4: where_runs(plan, pc, x.data<uint32_t>(), y.data<uint32_t>(), z.data<uint32_t>()); break;
      default: where_runs(plan, pc, x.data<uint64_t>(), y.data<uint64_t>(), z.data<uint64_t>()); break;
    }
    return Status::ok();
  }

 private:
  DType dtype_;
};

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_cast(const PrepareContext& pctx) {
  const DType from = input_dtype(pctx, 0);
  auto to = cast_target(pctx.node);
  if (!to || !cast_type_ok(from) || !cast_type_ok(*to)) return std::unique_ptr<OpKernel>();
  CastFn fn = cast_fn(from, *to);
  if (!fn) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<CastKernel>(from, *to, fn));
}

Expected<std::unique_ptr<OpKernel>> prepare_where(const PrepareContext& pctx) {
  const DType t = input_dtype(pctx, 1);
  if (input_dtype(pctx, 0) != DType::kBool || t != input_dtype(pctx, 2) || t == DType::kString ||
      t == DType::kUndefined) {
    return std::unique_ptr<OpKernel>();
  }
  const size_t size = dtype_size(t);
  if (size != 1 && size != 2 && size != 4 && size != 8) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<WhereKernel>(t));
}

}  // namespace kiln::cpu::elementwise
