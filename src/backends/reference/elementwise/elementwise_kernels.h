// Reference kernels of the elementwise family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::reference {

// unary_math.cc
Status abs_op(KernelContext& ctx);
Status neg_op(KernelContext& ctx);
Status sign_op(KernelContext& ctx);
Status acos_op(KernelContext& ctx);
Status acosh_op(KernelContext& ctx);
Status asin_op(KernelContext& ctx);
Status asinh_op(KernelContext& ctx);
Status atan_op(KernelContext& ctx);
Status atanh_op(KernelContext& ctx);
Status cos_op(KernelContext& ctx);
Status cosh_op(KernelContext& ctx);
Status sin_op(KernelContext& ctx);
Status sinh_op(KernelContext& ctx);
Status tan_op(KernelContext& ctx);
Status tanh_op(KernelContext& ctx);
Status exp_op(KernelContext& ctx);
Status log_op(KernelContext& ctx);
Status sqrt_op(KernelContext& ctx);
Status reciprocal_op(KernelContext& ctx);
Status floor_op(KernelContext& ctx);
Status ceil_op(KernelContext& ctx);
Status round_op(KernelContext& ctx);
Status erf_op(KernelContext& ctx);
Status is_nan_op(KernelContext& ctx);
Status is_inf_op(KernelContext& ctx);
Status not_op(KernelContext& ctx);

// activations.cc
Status relu_op(KernelContext& ctx);
Status leaky_relu_op(KernelContext& ctx);
Status elu_op(KernelContext& ctx);
Status selu_op(KernelContext& ctx);
Status celu_op(KernelContext& ctx);
Status sigmoid_op(KernelContext& ctx);
Status hard_sigmoid_op(KernelContext& ctx);
Status hard_swish_op(KernelContext& ctx);
Status softplus_op(KernelContext& ctx);
Status softsign_op(KernelContext& ctx);
Status thresholded_relu_op(KernelContext& ctx);
Status shrink_op(KernelContext& ctx);
Status prelu_op(KernelContext& ctx);

// binary_arith.cc
Status add_op(KernelContext& ctx);
Status sub_op(KernelContext& ctx);
Status mul_op(KernelContext& ctx);
Status div_op(KernelContext& ctx);
Status mod_op(KernelContext& ctx);
Status pow_op(KernelContext& ctx);
Status bit_shift_op(KernelContext& ctx);

// compare_logic.cc
Status equal_op(KernelContext& ctx);
Status less_op(KernelContext& ctx);
Status less_or_equal_op(KernelContext& ctx);
Status greater_op(KernelContext& ctx);
Status greater_or_equal_op(KernelContext& ctx);
Status and_op(KernelContext& ctx);
Status or_op(KernelContext& ctx);
Status xor_op(KernelContext& ctx);

// variadic.cc
Status max_op(KernelContext& ctx);
Status min_op(KernelContext& ctx);
Status mean_op(KernelContext& ctx);
Status sum_op(KernelContext& ctx);

// where_clip.cc
Status where_op(KernelContext& ctx);
Status clip_op(KernelContext& ctx);

// cast.cc
Status cast_op(KernelContext& ctx);
Status cast_like_op(KernelContext& ctx);

}  // namespace kiln::reference
