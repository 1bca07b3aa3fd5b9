// The OpOptions verifier the patched schema reader calls from Operator::Verify
// (cmake/PatchSchemaVerifier.cmake): flatc's own VerifyOpOptions verifies every
// options table of the union, which links ~40 table verifiers into a firmware
// image that compiles in a handful of ops.
#include "mote/op_config.h"
#include "mote/schema/mote_generated.h"
#include "src/op_list.h"

namespace mote::schema {

// Verifies `obj` as the options table `type` names if an op compiled into this
// build uses that table. Any other type passes unverified, as an unknown union
// type passes flatc's verifier: CheckModel refuses an operator whose opcode is
// not compiled in, or whose options type is not its kernel's, before anything
// reads the options.
bool VerifyBuiltOpOptions(flatbuffers::Verifier& verifier, const void* obj, OpOptions type) {
#define MOTE_VERIFY_BUILT_OPTIONS(op, check, eval, options)          \
  if constexpr (MOTE_OP_ENABLED_##op) {                              \
    if (type == OpOptions::options) {                                \
      return verifier.VerifyTable(static_cast<const options*>(obj)); \
    }                                                                \
  }
  MOTE_OP_LIST(MOTE_VERIFY_BUILT_OPTIONS)
#undef MOTE_VERIFY_BUILT_OPTIONS
  return true;
}

}  // namespace mote::schema
