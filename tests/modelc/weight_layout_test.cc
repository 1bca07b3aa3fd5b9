// modelc's interleaved FullyConnected weights (emit/weight_layout.h) read by
// the runtime's reference kernel (RowOf) give the plain layout's outputs, on
// every remainder of units and depth by four; and which FullyConnecteds
// ChooseWeightLayouts interleaves.
#include "emit/weight_layout.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/fully_connected.h"

namespace mote::modelc {
namespace {

TEST(WeightLayout, InterleavedRowsGiveThePlainOutputs) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (size_t units = 1; units <= 13; ++units) {
    for (size_t depth = 1; depth <= 19; ++depth) {
      std::vector<uint8_t> plain(units * depth);
      for (auto& b : plain) b = static_cast<uint8_t>(byte(rng));
      const std::vector<uint8_t> interleaved = InterleaveRows(plain, units, depth);
      ASSERT_EQ(interleaved.size(), plain.size());
      std::vector<int8_t> in(2 * depth);
      for (auto& v : in) v = static_cast<int8_t>(byte(rng));
      std::vector<int32_t> bias(units), multiplier(units, 1 << 30);
      std::vector<int8_t> shift(units, -6);
      for (auto& b : bias) b = byte(rng) * 100;
      const reference::QuantizedFcParams p = {7, -3, multiplier, shift, -128, 127};
      std::vector<int8_t> want(2 * units), got(2 * units);
      reference::FullyConnectedInt8({2, depth, units, false}, p, in.data(),
                                    reinterpret_cast<const int8_t*>(plain.data()), bias.data(),
                                    want.data(), {});
      reference::FullyConnectedInt8({2, depth, units, true}, p, in.data(),
                                    reinterpret_cast<const int8_t*>(interleaved.data()),
                                    bias.data(), got.data(), {});
      ASSERT_EQ(want, got) << "units " << units << " depth " << depth;
      // Up to four values a row, a group's bytes are the plain rows' bytes.
      if (units >= 4 && depth > 4) {
        EXPECT_NE(plain, interleaved) << units << "x" << depth;
      }
    }
  }
}

// An int8 graph: input [1, 16, 16, in_c] -> optional 3x3 conv to 16
// channels -> FullyConnected(s) to `units` over the flattened features.
struct FcGraph {
  Graph g;
  int Tensor_(Shape shape, bool constant = false) {
    Tensor t;
    t.name = "t" + std::to_string(g.tensors.size());
    t.dtype = DType::kInt8;
    t.shape = shape;
    if (constant) {
      t.constant = Value::Float(shape, Eigen::ArrayXf::Zero(NumElements(shape)));
      t.encoded.assign(static_cast<size_t>(NumElements(shape)), 0);
    }
    return g.AddTensor(t);
  }
  int Node_(const std::string& op, std::vector<int> inputs, Shape out) {
    const int y = Tensor_(std::move(out));
    Node n = Node::Of("n" + std::to_string(g.nodes.size()), op, std::move(inputs), y);
    if (op == "Conv2D") {
      for (const char* k : {"filter_h", "filter_w"}) n.attrs[k].i = 3;
      for (const char* k : {"pad_top", "pad_left"}) n.attrs[k].i = 1;
    }
    g.nodes.push_back(n);
    return y;
  }
  int Fc(int x, int64_t units) {
    const int64_t depth = NumElements(g.tensors[x].shape);
    const int flat = Node_("Reshape", {x}, {1, depth});
    return Node_("FullyConnected", {flat, Tensor_({units, depth}, true)}, {1, units});
  }
};

const Node& LastFc(const Graph& g) {
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    if (it->op == "FullyConnected") return *it;
  }
  return g.nodes.back();
}

// A classifier head of 0.3% of the MACs behind a conv stack keeps plain
// rows (the interleaved path's flash is not worth it); FullyConnecteds that
// hold the MACs, alone or beside a small conv, are interleaved.
TEST(WeightLayout, InterleavesOnlyFullyConnectedsThatHoldTheMacs) {
  FcGraph cnn;
  const int x = cnn.Tensor_({1, 16, 16, 16});
  cnn.g.inputs.push_back(x);
  const int conv = cnn.Node_("Conv2D", {x, cnn.Tensor_({16, 3, 3, 16}, true)}, {1, 16, 16, 16});
  const int pooled = cnn.Node_("AveragePool2D", {conv}, {1, 1, 1, 16});
  cnn.g.outputs.push_back(cnn.Fc(pooled, 10));  // 160 of 590,000 MACs
  ChooseWeightLayouts(cnn.g);
  EXPECT_FALSE(InterleavesWeights(cnn.g, LastFc(cnn.g)));

  FcGraph mlp;
  const int in = mlp.Tensor_({1, 64});
  mlp.g.inputs.push_back(in);
  mlp.g.outputs.push_back(mlp.Fc(mlp.Fc(in, 32), 8));
  ChooseWeightLayouts(mlp.g);
  for (const Node& n : mlp.g.nodes) {
    if (n.op == "FullyConnected") EXPECT_TRUE(InterleavesWeights(mlp.g, n)) << n.name;
  }

  FcGraph mixed;  // a 4x4x1 conv (144 MACs) before an FC of 16 x 64
  const int image = mixed.Tensor_({1, 4, 4, 1});
  mixed.g.inputs.push_back(image);
  const int c = mixed.Node_("Conv2D", {image, mixed.Tensor_({1, 3, 3, 1}, true)}, {1, 4, 4, 1});
  mixed.g.outputs.push_back(mixed.Fc(mixed.Fc(c, 64), 16));
  ChooseWeightLayouts(mixed.g);
  EXPECT_TRUE(InterleavesWeights(mixed.g, LastFc(mixed.g)));
}

}  // namespace
}  // namespace mote::modelc
