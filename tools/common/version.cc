#include "common/version.h"

#include "mote_version.h"  // generated

namespace mote::tools {

std::string ToolVersion(const std::string& tool) { return tool + " " + kMoteVersion; }

}  // namespace mote::tools
