// C/C++ header that embeds a .mote file in flash and states its arena size.
#ifndef MOTE_TOOLS_MODELC_EMIT_HEADER_WRITER_H_
#define MOTE_TOOLS_MODELC_EMIT_HEADER_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mote::modelc {

// `name` becomes MOTE_<NAME>_ARENA_SIZE, MOTE_<NAME>_MODEL_SIZE and the
// array mote_<name>_model (static const, 16-byte aligned).
std::string HeaderFor(const std::string& name, const std::vector<uint8_t>& bytes, int64_t arena_size,
                      const std::string& source);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_HEADER_WRITER_H_
