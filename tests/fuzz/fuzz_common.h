// Helpers shared by the fuzz targets (tests/fuzz/fuzz_*.cc).
#ifndef MOTE_TESTS_FUZZ_FUZZ_COMMON_H_
#define MOTE_TESTS_FUZZ_FUZZ_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>

namespace mote::fuzz {

// A heap block of exactly `size` bytes, 16-byte aligned as the runtime
// requires. No rounding up: AddressSanitizer's redzone starts right after the
// last byte, so a read or write one byte past the model or arena is reported.
class AlignedBytes {
 public:
  explicit AlignedBytes(size_t size) : size_(size) {
    data_ = static_cast<uint8_t*>(::operator new(size_ == 0 ? 1 : size_, std::align_val_t{16}));
  }
  AlignedBytes(const uint8_t* bytes, size_t size) : AlignedBytes(size) {
    if (size != 0) std::memcpy(data_, bytes, size);
  }
  ~AlignedBytes() { ::operator delete(data_, std::align_val_t{16}); }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;

  uint8_t* data() { return data_; }
  size_t size() const { return size_; }
  std::span<uint8_t> span() { return {data_, size_}; }

 private:
  uint8_t* data_;
  size_t size_;
};

}  // namespace mote::fuzz

#endif  // MOTE_TESTS_FUZZ_FUZZ_COMMON_H_
