#include <cmath>

#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::PassCheck;
using test_util::random_tensor;
using Ops = std::vector<std::string>;

// Clip(x + 3, 0, 6) with bounds as inputs (opset >= 11) or attributes (older models).
ir::Value* relu6_plus3(GraphBuilder& b, ir::Value* x, bool attrs) {
  ir::Value* a = b.op("Add", {x, b.scalar(3)});
  if (!attrs) return b.op("Clip", {a, b.scalar(0), b.scalar(6)});
  ir::Node* clip = b.node("Clip", {a});
  test_util::attr_float(clip, "min", 0);
  test_util::attr_float(clip, "max", 6);
  return clip->outputs[0];
}

TEST(FuseActivationPatterns, HardSwishVariants) {
  // 0: (x * relu6) / 6   1: (relu6 * x) * (1/6)   2: x * (relu6 / 6)   3: x * HardSigmoid(x)  4: attrs Clip, opset 9
  for (int form = 0; form < 5; ++form) {
    PassCheck c(
        [form](GraphBuilder& b) {
          ir::Value* x = b.input("x", {2, 3, 7});
          ir::Value* y = nullptr;
          if (form == 0 || form == 4) y = b.op("Div", {b.op("Mul", {x, relu6_plus3(b, x, form == 4)}), b.scalar(6)});
          if (form == 1) y = b.op("Mul", {b.op("Mul", {relu6_plus3(b, x, false), x}), b.scalar(1.0f / 6)});
          if (form == 2) y = b.op("Mul", {x, b.op("Div", {relu6_plus3(b, x, false), b.scalar(6)})});
          if (form == 3) {
            ir::Node* hs = b.node("HardSigmoid", {x});
            test_util::attr_float(hs, "alpha", 1.0f / 6);
            y = b.op("Mul", {hs->outputs[0], x});
          }
          b.output(y);
        },
        form == 4 ? 9 : 17);
    ASSERT_TRUE(c.apply(fuse_activation_patterns)) << form;
    EXPECT_EQ(c.ops(), (Ops{"HardSwish"})) << form;
    EXPECT_EQ(c.find("HardSwish")->opset, 14);
    EXPECT_EQ(c.output_names(), c.original_outputs);
    EXPECT_TRUE(c.numeric()) << form;
  }
}

TEST(FuseActivationPatterns, HardSigmoidAndSilu) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {13});
    b.output(b.op("Mul", {relu6_plus3(b, x, false), b.scalar(1.0f / 6)}));
    b.output(b.op("Mul", {b.op("Sigmoid", {x}), x}));
  });
  ASSERT_TRUE(c.apply(fuse_activation_patterns));
  EXPECT_EQ(c.ops(), (Ops{"HardSigmoid", "kiln.Silu"}));
  EXPECT_TRUE(c.numeric());
}

TEST(FuseActivationPatterns, GeluExporterVariants) {
  // 0: torch (x * (1 + erf(x / 1.4142))) * 0.5   1: (x * 0.5) * (1 + erf(x * 0.7071))   2: tanh form
  for (int form = 0; form < 3; ++form) {
    PassCheck c([form](GraphBuilder& b) {
      ir::Value* x = b.input("x", {3, 11});
      ir::Value* y = nullptr;
      if (form < 2) {
        ir::Value* t = form == 0 ? b.op("Div", {x, b.scalar(1.41421356f)}) : b.op("Mul", {x, b.scalar(0.70710678f)});
        ir::Value* g = b.op("Add", {b.op("Erf", {t}), b.scalar(1)});
        y = form == 0 ? b.op("Mul", {b.op("Mul", {x, g}), b.scalar(0.5f)}) : b.op("Mul", {b.op("Mul", {x, b.scalar(0.5f)}), g});
      } else {
        ir::Value* cube = b.op("Pow", {x, b.scalar(3)});
        ir::Value* inner = b.op("Add", {x, b.op("Mul", {b.scalar(0.044715f), cube})});
        ir::Value* t = b.op("Tanh", {b.op("Mul", {inner, b.scalar(0.7978845608f)})});
        y = b.op("Mul", {b.scalar(0.5f), b.op("Mul", {x, b.op("Add", {b.scalar(1), t})})});
      }
      b.output(y);
    });
    ASSERT_TRUE(c.apply(fuse_activation_patterns)) << form;
    EXPECT_EQ(c.ops(), (Ops{"kiln.Gelu"})) << form;
    EXPECT_EQ(c.find("Gelu")->attr_string("approximate", "none"), form == 2 ? "tanh" : "none");
    EXPECT_TRUE(c.numeric()) << form;
  }
}

TEST(FuseActivationPatterns, LayerNormDecomposed) {
  // 0: Pow + Div + scale + bias   1: Mul self + Reciprocal, no bias, opset 18 axes input
  for (int form = 0; form < 2; ++form) {
    PassCheck c(
        [form](GraphBuilder& b) {
          ir::Value* x = b.input("x", {2, 5, 16});
          auto mean = [&](ir::Value* v) {
            ir::Node* r = form == 0 ? b.node("ReduceMean", {v}) : b.node("ReduceMean", {v, b.ints({-1})});
            if (form == 0) test_util::attr_ints(r, "axes", {2});
            return r->outputs[0];
          };
          ir::Value* d = b.op("Sub", {x, mean(x)});
          ir::Value* sq = form == 0 ? b.op("Pow", {d, b.scalar(2)}) : b.op("Mul", {d, d});
          ir::Value* sd = b.op("Sqrt", {b.op("Add", {mean(sq), b.scalar(1e-5f)})});
          ir::Value* n = form == 0 ? b.op("Div", {d, sd}) : b.op("Mul", {d, b.op("Reciprocal", {sd})});
          ir::Value* y = b.op("Mul", {n, b.constant(random_tensor({16}, 2))});
          if (form == 0) y = b.op("Add", {b.constant(random_tensor({16}, 3)), y});
          b.output(y);
        },
        form == 0 ? 17 : 18);
    ASSERT_TRUE(c.apply(fuse_activation_patterns)) << form;
    EXPECT_EQ(c.ops(), (Ops{"LayerNormalization"})) << form;
    const ir::Node* ln = c.find("LayerNormalization");
    EXPECT_EQ(ln->num_inputs(), form == 0 ? 3u : 2u);
    EXPECT_FLOAT_EQ(ln->attr_float("epsilon", 0), 1e-5f);
    EXPECT_TRUE(c.numeric()) << form;
  }
}

TEST(FuseActivationPatterns, MismatchedConstantsAndSharedIntermediatesBlock) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {9});
    // Clip(x + 3, 0, 6) / 5: not a hard sigmoid
    b.output(b.op("Div", {relu6_plus3(b, x, false), b.scalar(5)}));
    // GELU with 1.45 instead of sqrt(2)
    ir::Value* g = b.op("Add", {b.op("Erf", {b.op("Div", {x, b.scalar(1.45f)})}), b.scalar(1)});
    b.output(b.op("Mul", {b.op("Mul", {x, g}), b.scalar(0.5f)}));
    // Sigmoid output also used elsewhere
    ir::Value* s = b.op("Sigmoid", {x});
    b.output(b.op("Mul", {x, s}));
    b.output(s);
    // x * Sigmoid(y): not SiLU
    b.output(b.op("Mul", {x, b.op("Sigmoid", {b.op("Neg", {x})})}));
  });
  ASSERT_TRUE(c.apply(fuse_activation_patterns));
  EXPECT_FALSE(c.changed);
}

}  // namespace
}  // namespace kiln
