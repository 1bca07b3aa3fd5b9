#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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
  // Found by fuzz_npy: a shape that is not a tuple threw std::out_of_range.
  EXPECT_THROW(ParseNpy(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': ,16, 4), }", 64), "t"), NpyError);
  EXPECT_THROW(ParseNpy(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': 3, }", 12), "t"), NpyError);
}

// Found by fuzz_npy: a float16 element made AsFloat and AsInt call each other
// forever, and AsInt of a NaN or huge float was an undefined cast.
TEST(Npy, ConvertsFloat16AndSaturatesFloatToInt) {
  NpyArray h;
  h.dtype = "f2";
  h.shape = {5};
  h.data = {0x00, 0x3E, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x7C};  // 1.5, -2, 65504, 2^-24, inf
  EXPECT_EQ(h.AsFloat(0), 1.5f);
  EXPECT_EQ(h.AsFloat(1), -2.0f);
  EXPECT_EQ(h.AsFloat(2), 65504.0f);
  EXPECT_EQ(h.AsFloat(3), std::ldexp(1.0f, -24));
  EXPECT_EQ(h.AsInt(1), -2);
  EXPECT_EQ(h.AsInt(4), INT64_MAX);
  const NpyArray f = MakeFloatArray({4}, {std::nanf(""), -1e30f, 1e30f, -7.9f});
  EXPECT_EQ(f.AsInt(0), 0);
  EXPECT_EQ(f.AsInt(1), INT64_MIN);
  EXPECT_EQ(f.AsInt(2), INT64_MAX);
  EXPECT_EQ(f.AsInt(3), -7);
}


TEST(Npy, EmptyArraysHoldNoSamples) {
  // [0, 4] used to count as 0 samples: calibration then asked for data it had
  // been given, and mote-sim wrote an empty output.
  const NpyArray a = ParseNpy(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", 0), "e.npy");
  try {
    CountSamples(a, {1, 4}, "e.npy");
    ADD_FAILURE() << "0 samples accepted";
  } catch (const NpyError& e) {
    EXPECT_STREQ(e.what(), "e.npy: holds no samples (shape [0,4])");
  }
}

TEST(Npy, UnsupportedDtypesAreQuoted) {
  for (const char* descr : {"|O", "<c8", "<U2"}) {
    try {
      ParseNpy(Npy(std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (1,), }", 16), "t");
      ADD_FAILURE() << descr;
    } catch (const NpyError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + descr + "'"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(ParseNpy(Npy("{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (1,), }", 8), "t"),
               NpyError);
}

}  // namespace
}  // namespace mote::tools
