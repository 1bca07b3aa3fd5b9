// Fuzz target: the .npy reader of modelc and mote-sim (ParseNpy), element
// conversion, and CountSamples against model input shapes related to the
// array's own shape (so both the matching and the mismatch paths run).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mote::tools::NpyArray array;
  try {
    array = mote::tools::ParseNpy(std::vector<uint8_t>(data, data + size), "fuzz.npy");
  } catch (const mote::tools::NpyError&) {
    return 0;  // refused with a message: expected
  }
  // ParseNpy guarantees the data holds every element.
  if (array.data.size() != array.num_elements() * array.element_size()) __builtin_trap();
  const std::vector<float> values = array.ToFloat();
  int64_t sum = 0;
  for (size_t i = 0; i < array.num_elements(); ++i) sum += array.AsInt(i) & 1;
  (void)values;
  (void)sum;

  std::vector<std::vector<int64_t>> shapes = {array.shape, {1}, {}};
  if (!array.shape.empty()) {
    std::vector<int64_t> rest(array.shape.begin() + 1, array.shape.end());
    shapes.push_back(rest);
    rest.insert(rest.begin(), 1);
    shapes.push_back(rest);
    shapes.push_back({array.shape.back()});
  }
  for (const auto& shape : shapes) {
    try {
      (void)mote::tools::CountSamples(array, shape, "fuzz.npy");
    } catch (const mote::tools::NpyError&) {
    }
  }
  return 0;
}
