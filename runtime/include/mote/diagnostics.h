// Hooks through which the runtime reports details of a failure and
// programmer errors. The library never prints: the firmware decides.
#ifndef MOTE_DIAGNOSTICS_H_
#define MOTE_DIAGNOSTICS_H_

#include <stdint.h>

#include "mote/status.h"

namespace mote {

// What went wrong, in words a log line can carry. `message` is a static
// string; indices are -1 when they do not apply.
struct Diagnostic {
  Status status = Status::kOk;
  const char* message = "";
  int32_t op_index = -1;
  int32_t tensor_index = -1;
  int64_t value = 0;   // the offending value (bytes needed, version, ...)
  int64_t limit = 0;   // the bound it broke (bytes available, ...)
};

using DiagnosticHandler = void (*)(const Diagnostic& diagnostic, void* context);

// Installs the handler (nullptr: none). Not thread-safe; call at start-up.
void SetDiagnosticHandler(DiagnosticHandler handler, void* context);

// Called on misuse of the C++ API (e.g. an input index out of range).
// The default handler traps.
using AssertHandler = void (*)(const char* file, int line, const char* condition);
void SetAssertHandler(AssertHandler handler);

// Builds with MOTE_DIAGNOSTIC_MESSAGES=0 (CMake option of the same name)
// report every diagnostic with an empty message: statuses, indices and
// values stay, the ~4 KB of message text is not linked.
#ifndef MOTE_DIAGNOSTIC_MESSAGES
#define MOTE_DIAGNOSTIC_MESSAGES 1
#endif
// Builds with MOTE_DIAGNOSTIC_VALUES=0 (CMake option of the same name) report
// value = limit = 0: the status and the op and tensor indices stay. Each of
// the ~300 checks then passes two registers instead of two 64-bit values on
// the stack (about 1.4 KB of flash for a CNN's ops).
#ifndef MOTE_DIAGNOSTIC_VALUES
#define MOTE_DIAGNOSTIC_VALUES 1
#endif

namespace internal {
Status ReportDiagnostic(Status status, const char* message, int32_t op_index,
                        int32_t tensor_index, int64_t value, int64_t limit);
// ReportDiagnostic without message, value or limit.
Status ReportStatus(Status status, int32_t op_index, int32_t tensor_index);
// Reports a diagnostic and returns its status, so call sites can
// `return Report(...)`.
inline Status Report(Status status, const char* message, int32_t op_index = -1,
                     int32_t tensor_index = -1, int64_t value = 0, int64_t limit = 0) {
  if constexpr (!MOTE_DIAGNOSTIC_VALUES) {
    if constexpr (!MOTE_DIAGNOSTIC_MESSAGES) return ReportStatus(status, op_index, tensor_index);
    return ReportDiagnostic(status, message, op_index, tensor_index, 0, 0);
  }
  return ReportDiagnostic(status, MOTE_DIAGNOSTIC_MESSAGES ? message : "", op_index, tensor_index,
                          value, limit);
}
[[noreturn]] void AssertFailed(const char* file, int line, const char* condition);
}  // namespace internal

}  // namespace mote

#define MOTE_ASSERT(condition)                                         \
  do {                                                                 \
    if (!(condition)) {                                                \
      ::mote::internal::AssertFailed(__FILE__, __LINE__, #condition);  \
    }                                                                  \
  } while (0)

#endif  // MOTE_DIAGNOSTICS_H_
