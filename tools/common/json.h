// JSON for the tools' reports (nlohmann-json; keys keep their insertion order).
#ifndef MOTE_TOOLS_COMMON_JSON_H_
#define MOTE_TOOLS_COMMON_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

namespace mote::tools {

using Json = nlohmann::ordered_json;

// `j` on one line and a '\n'. Names taken from model files may hold invalid
// UTF-8: it is replaced (U+FFFD) rather than refused; NaN and Inf print as null.
inline std::string JsonLine(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_JSON_H_
