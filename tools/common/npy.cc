#include "common/npy.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

namespace mote::tools {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMaxElements = size_t{1} << 31;

size_t SizeOfDtype(const std::string& d) {
  if (d == "f4" || d == "i4" || d == "u4") return 4;
  if (d == "f8" || d == "i8" || d == "u8") return 8;
  if (d == "i2" || d == "u2" || d == "f2") return 2;
  if (d == "i1" || d == "u1" || d == "b1") return 1;
  return 0;
}

// Value of `key` in the header dict, e.g. 'descr': '<f4'.
std::string DictValue(const std::string& header, const std::string& key, const std::string& what) {
  const size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) throw NpyError(what + ": .npy header has no '" + key + "'");
  const size_t colon = header.find(':', k);
  if (colon == std::string::npos) throw NpyError(what + ": malformed .npy header");
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos) throw NpyError(what + ": malformed .npy header");
  size_t end;
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos) throw NpyError(what + ": malformed shape in .npy header");
    return header.substr(start, end - start + 1);
  }
  end = header.find_first_of(",}", start);
  if (end == std::string::npos) throw NpyError(what + ": malformed .npy header");
  std::string v = header.substr(start, end - start);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

std::vector<int64_t> ParseShape(const std::string& tuple, const std::string& what) {
  if (tuple.size() < 2 || tuple.front() != '(' || tuple.back() != ')') {
    throw NpyError(what + ": malformed shape in .npy header");
  }
  std::vector<int64_t> shape;
  std::string inner = tuple.substr(1, tuple.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    try {
      size_t used = 0;
      const long long v = std::stoll(item.substr(first), &used);
      if (v < 0) throw NpyError(what + ": negative dimension in .npy shape");
      shape.push_back(v);
    } catch (const std::logic_error&) {
      throw NpyError(what + ": bad dimension '" + item + "' in .npy shape");
    }
  }
  return shape;
}

// IEEE 754 binary16 (numpy's float16) to float; every value is exact.
float HalfToFloat(uint16_t h) {
  const float sign = (h & 0x8000) ? -1.0f : 1.0f;
  const int exponent = (h >> 10) & 0x1F;
  const int mantissa = h & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa ? std::numeric_limits<float>::quiet_NaN() : sign * HUGE_VALF;
  return sign * std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
}

}  // namespace

size_t NpyArray::element_size() const { return SizeOfDtype(dtype); }

size_t NpyArray::num_elements() const {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

float NpyArray::AsFloat(size_t i) const {
  const uint8_t* p = data.data() + i * element_size();
  if (dtype == "f4") { float v; std::memcpy(&v, p, 4); return v; }
  if (dtype == "f8") { double v; std::memcpy(&v, p, 8); return static_cast<float>(v); }
  if (dtype == "f2") { uint16_t v; std::memcpy(&v, p, 2); return HalfToFloat(v); }
  return static_cast<float>(AsInt(i));
}

int64_t NpyArray::AsInt(size_t i) const {
  const uint8_t* p = data.data() + i * element_size();
  if (dtype == "i1") return static_cast<int8_t>(*p);
  if (dtype == "u1" || dtype == "b1") return *p;
  if (dtype == "i2") { int16_t v; std::memcpy(&v, p, 2); return v; }
  if (dtype == "u2") { uint16_t v; std::memcpy(&v, p, 2); return v; }
  if (dtype == "i4") { int32_t v; std::memcpy(&v, p, 4); return v; }
  if (dtype == "u4") { uint32_t v; std::memcpy(&v, p, 4); return v; }
  if (dtype == "i8" || dtype == "u8") { int64_t v; std::memcpy(&v, p, 8); return v; }
  // A float element: truncated toward zero, saturated, NaN as 0 (a plain
  // cast of NaN or of a value outside int64 is undefined behaviour).
  const float f = AsFloat(i);
  if (std::isnan(f)) return 0;
  if (f >= 0x1p63f) return INT64_MAX;
  if (f < -0x1p63f) return INT64_MIN;
  return static_cast<int64_t>(f);
}

std::vector<float> NpyArray::ToFloat() const {
  std::vector<float> out(num_elements());
  for (size_t i = 0; i < out.size(); ++i) out[i] = AsFloat(i);
  return out;
}

NpyArray ParseNpy(const std::vector<uint8_t>& bytes, const std::string& what) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) {
    throw NpyError(what + ": not a .npy file");
  }
  const uint8_t major = bytes[6];
  size_t header_len;
  size_t offset;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw NpyError(what + ": truncated .npy header");
    header_len = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (size_t{bytes[11]} << 24);
    offset = 12;
  } else {
    throw NpyError(what + ": unsupported .npy version " + std::to_string(major));
  }
  if (offset + header_len > bytes.size()) throw NpyError(what + ": truncated .npy header");
  const std::string header(bytes.begin() + offset, bytes.begin() + offset + header_len);
  NpyArray a;
  std::string descr = DictValue(header, "descr", what);
  if (!descr.empty() && descr.front() == '[') {
    throw NpyError(what + ": structured (record) dtypes are not supported; save a plain numeric array");
  }
  if (descr.size() < 4 || descr.front() != '\'' || descr.back() != '\'') {
    throw NpyError(what + ": unsupported dtype " + descr);
  }
  descr = descr.substr(1, descr.size() - 2);
  if (descr[0] == '>' && descr.substr(1) != "i1" && descr.substr(1) != "u1") {
    throw NpyError(what + ": big-endian arrays are not supported");
  }
  a.dtype = descr.substr(1);
  if (SizeOfDtype(a.dtype) == 0) {
    throw NpyError(what + ": unsupported dtype '" + descr + "' (supported: float16/32/64, int and uint 8 to 64 bits, bool)");
  }
  if (DictValue(header, "fortran_order", what) != "False") {
    throw NpyError(what + ": Fortran-order arrays are not supported");
  }
  a.shape = ParseShape(DictValue(header, "shape", what), what);
  size_t n = 1;
  for (int64_t d : a.shape) {
    if (d != 0 && n > kMaxElements / static_cast<size_t>(d)) {
      throw NpyError(what + ": shape " + DictValue(header, "shape", what) + " has more than 2^31 elements");
    }
    n *= static_cast<size_t>(d);
  }
  const size_t need = n * a.element_size();
  const size_t data_offset = offset + header_len;
  if (bytes.size() - data_offset < need) {
    throw NpyError(what + ": truncated data (" + std::to_string(bytes.size() - data_offset) +
                   " bytes, need " + std::to_string(need) + ")");
  }
  a.data.assign(bytes.begin() + data_offset, bytes.begin() + data_offset + need);
  return a;
}

NpyArray ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseNpy(bytes, path);
}

void WriteNpy(const std::string& path, const NpyArray& a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) {
    shape += std::to_string(a.shape[i]);
    shape += (a.shape.size() == 1 || i + 1 < a.shape.size()) ? "," : "";
    if (i + 1 < a.shape.size()) shape += " ";
  }
  shape += ")";
  const char order = (a.dtype == "i1" || a.dtype == "u1" || a.dtype == "b1") ? '|' : '<';
  std::string header = "{'descr': '" + std::string(1, order) + a.dtype +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw NpyError(path + ": cannot write");
  out.write(kMagic, 6);
  const char version[2] = {1, 0};
  out.write(version, 2);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xFF), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(a.data.data()), static_cast<std::streamsize>(a.data.size()));
  if (!out) throw NpyError(path + ": write failed");
}

int64_t CountSamples(const NpyArray& array, const std::vector<int64_t>& shape, const std::string& what) {
  auto text = [](const std::vector<int64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
    return out + "]";
  };
  if (array.shape == shape) return 1;
  std::vector<int64_t> item = shape;
  if (!item.empty() && item[0] == 1) item.erase(item.begin());
  if (!array.shape.empty()) {
    const std::vector<int64_t> rest(array.shape.begin() + 1, array.shape.end());
    if ((rest == item || rest == shape) && array.shape[0] == 0) {
      throw NpyError(what + ": holds no samples (shape " + text(array.shape) + ")");
    }
    if (rest == item || rest == shape) return array.shape[0];
  }
  const std::string batch_text = "[N" + (item.empty() ? std::string() : "," + text(item).substr(1, text(item).size() - 2)) + "]";
  throw NpyError(what + ": shape " + text(array.shape) + " does not match the model input " + text(shape) +
                 " (expected " + text(shape) + " or " + batch_text + ")");
}

namespace {

// Code points of UTF-8 text; a byte that does not start a well-formed
// sequence stands for itself (as Latin-1).
std::vector<uint32_t> DecodeUtf8(const std::string& s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<uint8_t>(s[i]);
    const size_t extra = lead >= 0xF0 && lead < 0xF8 ? 3 : lead >= 0xE0 && lead < 0xF0 ? 2 : lead >= 0xC0 && lead < 0xE0 ? 1 : 0;
    uint32_t cp = extra == 0 ? lead : lead & (0x3Fu >> extra);
    bool ok = i + extra < s.size();
    for (size_t k = 1; ok && k <= extra; ++k) {
      const auto c = static_cast<uint8_t>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    out.push_back(ok ? cp : lead);
    i += ok ? extra + 1 : 1;
  }
  return out;
}

}  // namespace

NpyArray MakeStringArray(std::vector<int64_t> shape, const std::vector<std::string>& utf8) {
  std::vector<std::vector<uint32_t>> text;
  size_t width = 1;  // numpy has no '<U0'
  for (const std::string& s : utf8) {
    text.push_back(DecodeUtf8(s));
    width = std::max(width, text.back().size());
  }
  NpyArray a;
  a.dtype = "U" + std::to_string(width);
  a.shape = std::move(shape);
  a.data.assign(text.size() * width * 4, 0);
  for (size_t k = 0; k < text.size(); ++k) {
    for (size_t c = 0; c < text[k].size(); ++c) {
      for (size_t b = 0; b < 4; ++b) a.data[(k * width + c) * 4 + b] = static_cast<uint8_t>(text[k][c] >> (8 * b));
    }
  }
  return a;
}

NpyArray MakeFloatArray(std::vector<int64_t> shape, const std::vector<float>& values) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = std::move(shape);
  a.data.resize(values.size() * 4);
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

}  // namespace mote::tools
