// SHA-256 (FIPS 180-4, OpenSSL's libcrypto), used to record which source file
// a .mote came from.
#ifndef MOTE_TOOLS_COMMON_SHA256_H_
#define MOTE_TOOLS_COMMON_SHA256_H_

#include <string>

namespace mote::tools {

// Lower-case hex digest of `data`.
std::string Sha256Hex(const std::string& data);

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_SHA256_H_
