// Shape inference of the windowed ops: Conv family, ConvTranspose, pools, MaxUnpool.
#include "ops/nn/nn_ops.h"
#include "ops/nn/window_geometry.h"

namespace kiln {

namespace {

DType input_elem(const InferContext& ctx, size_t i) {
  return ctx.has_input(i) ? ctx.input_type(i).elem : DType::kUndefined;
}

std::vector<int64_t> dim_values(const std::vector<ir::Dim>& dims, size_t from) {
  std::vector<int64_t> v;
  for (size_t i = from; i < dims.size(); ++i) v.push_back(dims[i].known() ? dims[i].value : -1);
  return v;
}

// The data input's dims, requiring rank >= 3 (N, C, spatial...). nullopt when the rank is unknown.
Expected<std::optional<std::vector<ir::Dim>>> data_dims(const InferContext& ctx, size_t input) {
  if (!ctx.has_input(input)) return ctx.error("input {} is required", input);
  const ir::TypeInfo& t = ctx.input_type(input);
  if (!t.dims) return std::optional<std::vector<ir::Dim>>{};
  if (t.dims->size() < 3) return ctx.error("input {} must have rank >= 3 (N, C, spatial...), got {}", input, t.str());
  return std::optional<std::vector<ir::Dim>>(*t.dims);
}

void append_spatial(std::vector<ir::Dim>* dims, const std::vector<int64_t>& out) {
  for (int64_t v : out) dims->push_back(v >= 0 ? ir::Dim(v) : ir::Dim());
}

}  // namespace

Status infer_conv(InferContext& ctx) {
  const std::string& op = ctx.node().op_type;
  size_t w_index = op == "QLinearConv" ? 3 : 1;
  DType out_dtype = op == "ConvInteger" ? DType::kInt32
                    : op == "QLinearConv" ? (ctx.has_input(7) ? input_elem(ctx, 7) : DType::kUndefined)
                                          : input_elem(ctx, 0);
  if (op == "QLinearConv" && out_dtype == DType::kUndefined) out_dtype = input_elem(ctx, 0);
  KILN_ASSIGN_OR_RETURN(auto x, data_dims(ctx, 0));
  if (!ctx.has_input(w_index)) return ctx.error("weights input {} is required", w_index);
  const ir::TypeInfo& wt = ctx.input_type(w_index);
  if (wt.dims && wt.dims->size() < 3) {
    return ctx.error("weights {} must have rank >= 3 (M, C/group, kernel...)", wt.str());
  }
  size_t n = x ? x->size() - 2 : wt.dims ? wt.dims->size() - 2 : 0;
  if (!x && !wt.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(out_dtype));
    return Status::ok();
  }
  std::vector<ir::Dim> out;
  out.push_back(x ? (*x)[0] : ir::Dim());
  out.push_back(wt.dims && !wt.dims->empty() ? (*wt.dims)[0] : ir::Dim());
  if (wt.dims && wt.dims->size() != n + 2) {
    return ctx.error("weights {} must have rank {} like the input", wt.str(), n + 2);
  }
  std::vector<int64_t> kernel = ctx.node().attr_ints("kernel_shape");
  if (kernel.empty()) kernel = wt.dims ? dim_values(*wt.dims, 2) : std::vector<int64_t>(n, -1);
  bool kernel_known = true;
  for (int64_t k : kernel) kernel_known = kernel_known && k >= 0;
  if (!x || !kernel_known) {
    for (size_t i = 0; i < n; ++i) out.push_back(ir::Dim());
  } else {
    KILN_ASSIGN_OR_RETURN(WindowGeometry g, forward_window(ctx.node(), dim_values(*x, 2), kernel, false));
    append_spatial(&out, g.out);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(out_dtype, out));
  return Status::ok();
}

Status infer_conv_transpose(InferContext& ctx) {
  DType dtype = input_elem(ctx, 0);
  KILN_ASSIGN_OR_RETURN(auto x, data_dims(ctx, 0));
  if (!ctx.has_input(1)) return ctx.error("weights input 1 is required");
  const ir::TypeInfo& wt = ctx.input_type(1);
  if (!x) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(dtype));
    return Status::ok();
  }
  size_t n = x->size() - 2;
  int64_t group = ctx.node().attr_int("group", 1);
  std::vector<ir::Dim> out{(*x)[0]};
  if (wt.dims && wt.dims->size() != n + 2) return ctx.error("weights {} must have rank {}", wt.str(), n + 2);
  if (wt.dims && (*wt.dims)[1].known()) out.push_back(ir::Dim((*wt.dims)[1].value * group));
  else out.push_back(ir::Dim());
  std::vector<int64_t> kernel = ctx.node().attr_ints("kernel_shape");
  if (kernel.empty()) kernel = wt.dims ? dim_values(*wt.dims, 2) : std::vector<int64_t>(n, -1);
  bool kernel_known = true;
  for (int64_t k : kernel) kernel_known = kernel_known && k >= 0;
  if (!kernel_known) {
    for (size_t i = 0; i < n; ++i) out.push_back(ir::Dim());
  } else {
    KILN_ASSIGN_OR_RETURN(WindowGeometry g, transpose_window(ctx.node(), dim_values(*x, 2), kernel));
    append_spatial(&out, g.out);
  }
  ctx.set_output(0, ir::TypeInfo::tensor(dtype, out));
  return Status::ok();
}

Status infer_pool(InferContext& ctx) {
  DType dtype = input_elem(ctx, 0);
  KILN_ASSIGN_OR_RETURN(auto x, data_dims(ctx, 0));
  std::vector<int64_t> kernel = ctx.node().attr_ints("kernel_shape");
  if (kernel.empty()) return ctx.error("attribute kernel_shape is required");
  ir::TypeInfo result = ir::TypeInfo::tensor_unknown_shape(dtype);
  if (x) {
    if (kernel.size() != x->size() - 2) {
      return ctx.error("kernel_shape has {} values, input has {} spatial dims", kernel.size(), x->size() - 2);
    }
    bool ceil_mode = ctx.node().attr_int("ceil_mode", 0) != 0;
    KILN_ASSIGN_OR_RETURN(WindowGeometry g, forward_window(ctx.node(), dim_values(*x, 2), kernel, ceil_mode));
    std::vector<ir::Dim> out{(*x)[0], (*x)[1]};
    append_spatial(&out, g.out);
    result = ir::TypeInfo::tensor(dtype, out);
  }
  ctx.set_output(0, result);
  if (ctx.num_outputs() > 1) {
    ir::TypeInfo indices = result;
    indices.elem = DType::kInt64;
    ctx.set_output(1, indices);
  }
  return Status::ok();
}

Status infer_global_pool(InferContext& ctx) {
  DType dtype = input_elem(ctx, 0);
  KILN_ASSIGN_OR_RETURN(auto x, data_dims(ctx, 0));
  if (!x) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(dtype));
    return Status::ok();
  }
  std::vector<ir::Dim> out{(*x)[0], (*x)[1]};
  for (size_t i = 2; i < x->size(); ++i) out.push_back(ir::Dim(1));
  ctx.set_output(0, ir::TypeInfo::tensor(dtype, out));
  return Status::ok();
}

Status infer_max_unpool(InferContext& ctx) {
  DType dtype = input_elem(ctx, 0);
  KILN_ASSIGN_OR_RETURN(auto x, data_dims(ctx, 0));
  if (ctx.has_input(2)) {
    if (auto shape = constant_ints(ctx, 2)) {
      std::vector<ir::Dim> out(shape->begin(), shape->end());
      ctx.set_output(0, ir::TypeInfo::tensor(dtype, out));
      return Status::ok();
    }
    const ir::TypeInfo& st = ctx.input_type(2);
    if (st.dims && st.dims->size() == 1 && (*st.dims)[0].known()) {
      ctx.set_output(0, ir::TypeInfo::tensor(dtype, std::vector<ir::Dim>(static_cast<size_t>((*st.dims)[0].value))));
    } else {
      ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(dtype));
    }
    return Status::ok();
  }
  if (!x) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(dtype));
    return Status::ok();
  }
  size_t n = x->size() - 2;
  std::vector<int64_t> kernel = ctx.node().attr_ints("kernel_shape");
  if (kernel.size() != n) return ctx.error("kernel_shape has {} values, input has {} spatial dims", kernel.size(), n);
  std::vector<int64_t> strides = ctx.node().attr_ints("strides", std::vector<int64_t>(n, 1));
  std::vector<int64_t> pads = ctx.node().attr_ints("pads", std::vector<int64_t>(2 * n, 0));
  if (strides.size() != n || pads.size() != 2 * n) return ctx.error("strides/pads do not match {} spatial dims", n);
  std::vector<ir::Dim> out{(*x)[0], (*x)[1]};
  for (size_t i = 0; i < n; ++i) {
    const ir::Dim& d = (*x)[i + 2];
    out.push_back(d.known() ? ir::Dim((d.value - 1) * strides[i] + kernel[i] - pads[i] - pads[i + n]) : ir::Dim());
  }
  ctx.set_output(0, ir::TypeInfo::tensor(dtype, out));
  return Status::ok();
}

}  // namespace kiln
