#include "common/files.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mote::tools {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

OutputFiles::~OutputFiles() {
  for (const auto& t : temporaries_) std::remove(t.c_str());
}

void OutputFiles::Add(const std::string& path, std::string contents) {
  staged_.emplace_back(path, std::move(contents));
}

void OutputFiles::Commit() {
  for (const auto& [path, contents] : staged_) {
    const std::string tmp = path + ".tmp-modelc";
    temporaries_.push_back(tmp);
    std::ofstream out(tmp, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) throw std::runtime_error(path + ": cannot write");
  }
  for (const auto& [path, contents] : staged_) {
    if (std::rename((path + ".tmp-modelc").c_str(), path.c_str()) != 0) {
      throw std::runtime_error(path + ": cannot move into place");
    }
  }
  temporaries_.clear();
  staged_.clear();
}

AlignedBuffer::AlignedBuffer(const std::string& bytes)
    : storage_((bytes.size() + 15) / 16 + 1), size_(bytes.size()) {
  std::memcpy(storage_.data(), bytes.data(), bytes.size());
}

}  // namespace mote::tools
