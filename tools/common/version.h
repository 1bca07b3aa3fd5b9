// The project version the host tools print (--version) and modelc stores in
// every .mote as its producer.
#ifndef MOTE_TOOLS_COMMON_VERSION_H_
#define MOTE_TOOLS_COMMON_VERSION_H_

#include <string>

namespace mote::tools {

// "modelc 0.1.0": `tool` and the version of project(mote VERSION ...) in the
// top-level CMakeLists.txt.
std::string ToolVersion(const std::string& tool);

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_VERSION_H_
