// Whole-file reads and all-or-nothing writes for the host tools.
#ifndef MOTE_TOOLS_COMMON_FILES_H_
#define MOTE_TOOLS_COMMON_FILES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mote::tools {

// Throws std::runtime_error naming the path.
std::string ReadFile(const std::string& path);

// Files staged by Add() appear together on Commit(): each is written to a
// temporary name beside its destination and renamed into place, so a failed
// run leaves no partial output. Uncommitted temporaries are removed.
class OutputFiles {
 public:
  ~OutputFiles();
  void Add(const std::string& path, std::string contents);
  void Commit();

 private:
  std::vector<std::pair<std::string, std::string>> staged_;
  std::vector<std::string> temporaries_;
};

// Aligned storage for a .mote file (the runtime wants 16-byte alignment).
class AlignedBuffer {
 public:
  explicit AlignedBuffer(const std::string& bytes);
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(storage_.data()); }
  size_t size() const { return size_; }

 private:
  struct alignas(16) Block { uint8_t b[16]; };
  std::vector<Block> storage_;
  size_t size_;
};

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_FILES_H_
