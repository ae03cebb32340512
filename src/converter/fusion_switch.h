// `--fusion_switch_file` (../shared/spec/atc-cli.md §2): turns fusion passes off. Two contents are
// accepted: lines `PassName:off|on`, or JSON {"Switch":{"GraphFusion":{...},"UBFusion":{...}}}.
// Names map to Kiln passes (passes/pipeline.cc); our own pass names work too. ATC counterparts:
//   ALL under GraphFusion      -> fuse_batchnorm, fuse_matmul_add, fuse_activation_patterns,
//                                 simplify_transposes
//   ALL under UBFusion         -> fuse_conv (conv + bias/eltwise/activation epilogues)
//   ConvBatchnormFusionPass, ConvScaleFusionPass, BatchNormBnInferFusionPass -> fuse_batchnorm
//   MatMulBiasAddFusionPass, FCFusionPass, BatchMatMulFusionPass            -> fuse_matmul_add
//   ConvReluFusionPass, TbeConvElemwiseFusionPass, TbeConvReluFusionPass, ConvBiasAddFusionPass,
//   TbeConv2DAddMulQuantPass                                                -> fuse_conv
//   TransposeReshapeFusionPass, TransposeTransposeFusionPass               -> simplify_transposes
//   ConstantFoldingPass                                                     -> fold_constants
// Anything else produces a warning ("no Kiln counterpart"), never an error.
//
//   KILN_ASSIGN_OR_RETURN(FusionSwitches sw, read_fusion_switch_file("fusion_switch.cfg"));
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace kiln::convert {

struct FusionSwitches {
  std::vector<std::string> disabled_passes;  // Kiln pass names, no duplicates
  std::vector<std::string> warnings;
};

Expected<FusionSwitches> parse_fusion_switch(const std::string& text, const std::string& file);
Expected<FusionSwitches> read_fusion_switch_file(const std::string& path);

}  // namespace kiln::convert
