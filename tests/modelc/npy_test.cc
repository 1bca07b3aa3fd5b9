#include <gtest/gtest.h>

#include <cstring>

#include "common/npy.h"

namespace mote::tools {
namespace {

std::vector<uint8_t> Npy(const std::string& header, size_t data_bytes) {
  std::string h = header;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                              static_cast<uint8_t>(h.size() & 0xFF), static_cast<uint8_t>(h.size() >> 8)};
  out.insert(out.end(), h.begin(), h.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

TEST(Npy, ParsesShapesAndTypes) {
  const NpyArray a = ParseNpy(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 24), "t");
  EXPECT_EQ(a.dtype, "f4");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 2}));
  const NpyArray s = ParseNpy(Npy("{'descr': '|i1', 'fortran_order': False, 'shape': (), }", 1), "t");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(CountSamples(a, {1, 2}, "t"), 3);
  EXPECT_EQ(CountSamples(a, {3, 2}, "t"), 1);
  EXPECT_THROW(CountSamples(a, {1, 3}, "t"), NpyError);
}

TEST(Npy, RejectsBrokenFiles) {
  EXPECT_THROW(ParseNpy({1, 2, 3}, "t"), NpyError);
  EXPECT_THROW(ParseNpy(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 23), "t"), NpyError);
  EXPECT_THROW(ParseNpy(Npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8), "t"), NpyError);
  EXPECT_THROW(ParseNpy(Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", 4), "t"), NpyError);
  EXPECT_THROW(ParseNpy(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999), }", 4), "t"),
               NpyError);
  EXPECT_THROW(ParseNpy(Npy("{'descr': '<f4', 'shape': (1,), }", 4), "t"), NpyError);
}

}  // namespace
}  // namespace mote::tools
