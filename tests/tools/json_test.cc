// The reports' JSON (common/json.h): what readers of --report and
// inspect --json rely on.
#include "common/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mote::tools {
namespace {

TEST(Json, KeysKeepTheirOrderOnOneLine) {
  Json j;
  j["source"] = "m.onnx";
  j["arena_bytes"] = 1024;
  j["calibration"] = {{"samples", 3}, {"max_abs_error", 0.5}};
  j["shape"] = std::vector<int64_t>{1, 10};
  EXPECT_EQ(JsonLine(j),
            "{\"source\":\"m.onnx\",\"arena_bytes\":1024,\"calibration\":{\"samples\":3,\"max_abs_"
            "error\":0.5},"
            "\"shape\":[1,10]}\n");
}

TEST(Json, NamesFromModelFilesAreEscapedAndInvalidUtf8Replaced) {
  Json j;
  j["name"] = std::string("a\"b\\c\n\x01\xff\xc3\xa9", 10);
  EXPECT_EQ(JsonLine(j), "{\"name\":\"a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\xc3\xa9\"}\n");
}

TEST(Json, NotFiniteIsNull) {
  Json j;
  j["nan"] = std::numeric_limits<double>::quiet_NaN();
  j["inf"] = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(JsonLine(j), "{\"nan\":null,\"inf\":null}\n");
}

TEST(Json, NumbersRoundTrip) {
  const double x = 0.1 + 0.2;
  Json j;
  j["x"] = x;
  j["big"] = int64_t{1} << 62;
  const Json back = Json::parse(JsonLine(j));
  EXPECT_EQ(back["x"].get<double>(), x);
  EXPECT_EQ(back["big"].get<int64_t>(), int64_t{1} << 62);
}

}  // namespace
}  // namespace mote::tools
