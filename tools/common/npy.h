// Reading and writing NumPy .npy files (format 1.0-3.0, little-endian,
// C order) for modelc, mote-sim and the tests.
#ifndef MOTE_TOOLS_COMMON_NPY_H_
#define MOTE_TOOLS_COMMON_NPY_H_

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mote::tools {

struct NpyArray {
  std::string dtype;           // numpy descr without byte order: "f4", "i8", "i1", ...
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;   // raw little-endian elements

  size_t num_elements() const;
  size_t element_size() const;
  // Element i converted to float / int64 whatever the stored type.
  float AsFloat(size_t i) const;
  int64_t AsInt(size_t i) const;
  std::vector<float> ToFloat() const;
};

class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws NpyError naming the file and what is wrong with it.
NpyArray ReadNpy(const std::string& path);
NpyArray ParseNpy(const std::vector<uint8_t>& bytes, const std::string& what);
void WriteNpy(const std::string& path, const NpyArray& array);

// Samples `array` holds for a model input of `shape` (DESIGN.md §6): one if
// the shapes are equal, else N for [N, ...] where ... is `shape` without a
// leading 1 (or all of `shape`). Throws NpyError explaining a mismatch.
int64_t CountSamples(const NpyArray& array, const std::vector<int64_t>& shape, const std::string& what);

NpyArray MakeFloatArray(std::vector<int64_t> shape, const std::vector<float>& values);
// A numpy unicode array ('<U<n>', UTF-32) of UTF-8 strings, for writing only.
NpyArray MakeStringArray(std::vector<int64_t> shape, const std::vector<std::string>& utf8);

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_NPY_H_
