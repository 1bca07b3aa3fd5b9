// modelc's interleaved FullyConnected weights (emit/weight_layout.h) read by
// the runtime's reference kernel (RowOf) give the plain layout's outputs, on
// every remainder of units and depth by four.
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

}  // namespace
}  // namespace mote::modelc
