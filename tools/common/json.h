// A minimal JSON writer for reports (objects, arrays, strings, numbers).
#ifndef MOTE_TOOLS_COMMON_JSON_H_
#define MOTE_TOOLS_COMMON_JSON_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mote::tools {

class Json {
 public:
  Json& BeginObject() { Comma(); out_ += '{'; first_.push_back(true); return *this; }
  Json& EndObject() { out_ += '}'; first_.pop_back(); return *this; }
  Json& BeginArray() { Comma(); out_ += '['; first_.push_back(true); return *this; }
  Json& EndArray() { out_ += ']'; first_.pop_back(); return *this; }
  Json& Key(const std::string& k) { Comma(); String(k); out_ += ':'; pending_value_ = true; return *this; }
  Json& Str(const std::string& v) { Comma(); String(v); return *this; }
  Json& Int(int64_t v) { Comma(); out_ += std::to_string(v); return *this; }
  Json& Num(double v) {
    Comma();
    if (!std::isfinite(v)) { out_ += "null"; return *this; }
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.9g", v);
    out_ += buf;
    return *this;
  }
  Json& Bool(bool v) { Comma(); out_ += v ? "true" : "false"; return *this; }
  template <typename T>
  Json& IntArray(const std::vector<T>& v) {
    BeginArray();
    for (const T& x : v) Int(static_cast<int64_t>(x));
    return EndArray();
  }
  const std::string& str() const { return out_; }

 private:
  void Comma() {
    if (pending_value_) { pending_value_ = false; return; }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void String(const std::string& s) {
    out_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') { out_ += '\\'; out_ += c; }
      else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out_ += buf;
      } else out_ += c;
    }
    out_ += '"';
  }
  std::string out_;
  std::vector<bool> first_;
  bool pending_value_ = false;
};

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_JSON_H_
