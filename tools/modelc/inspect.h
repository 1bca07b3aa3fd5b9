// `modelc inspect`: what a .mote file holds, after the runtime verified it.
#ifndef MOTE_TOOLS_MODELC_INSPECT_H_
#define MOTE_TOOLS_MODELC_INSPECT_H_

#include <string>

namespace mote::modelc {

// Returns the text (or JSON) description; throws std::runtime_error with the
// runtime's status and diagnostic if the file does not verify.
std::string Inspect(const std::string& path, bool json);
// The same for a file already in memory; `path` names it in messages.
std::string InspectBytes(const std::string& bytes, const std::string& path, bool json);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_INSPECT_H_
