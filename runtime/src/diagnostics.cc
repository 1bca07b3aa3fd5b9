#include "mote/diagnostics.h"

#include "mote/tensor.h"

namespace mote {
namespace {

DiagnosticHandler g_handler = nullptr;
void* g_handler_context = nullptr;
AssertHandler g_assert_handler = nullptr;

}  // namespace

void SetDiagnosticHandler(DiagnosticHandler handler, void* context) {
  g_handler = handler;
  g_handler_context = context;
}

void SetAssertHandler(AssertHandler handler) { g_assert_handler = handler; }

const char* StatusName(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kCorruptFile: return "corrupt file";
    case Status::kIntegrityMismatch: return "integrity mismatch";
    case Status::kVersionMismatch: return "version mismatch";
    case Status::kUnsupportedOp: return "unsupported op";
    case Status::kArenaTooSmall: return "arena too small";
    case Status::kInputShapeMismatch: return "input shape mismatch";
    case Status::kInputTypeMismatch: return "input type mismatch";
    case Status::kBadAlignment: return "bad alignment";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kTruncatedFile: return "truncated file";
    case Status::kNotInitialized: return "not initialized";
    case Status::kSelfTestMismatch: return "self-test mismatch";
  }
  return "unknown status";
}

const char* ElementTypeName(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return "float32";
    case ElementType::kInt8: return "int8";
    case ElementType::kInt16: return "int16";
    case ElementType::kInt32: return "int32";
    case ElementType::kInt64: return "int64";
    case ElementType::kUInt8: return "uint8";
  }
  return "unknown";
}

namespace internal {

Status ReportDiagnostic(Status status, const char* message, int32_t op_index,
                        int32_t tensor_index, int64_t value, int64_t limit) {
  if (g_handler != nullptr) {
    // Every field given: a default-built one would keep a constant template
    // and with it this file's strings (StatusName's) in the image.
    const Diagnostic d = {status, message, op_index, tensor_index, value, limit};
    g_handler(d, g_handler_context);
  }
  return status;
}

Status ReportStatus(Status status, int32_t op_index, int32_t tensor_index) {
  return ReportDiagnostic(status, "", op_index, tensor_index, 0, 0);
}

void AssertFailed(const char* file, int line, const char* condition) {
  if (g_assert_handler != nullptr) g_assert_handler(file, line, condition);
  __builtin_trap();
}

}  // namespace internal
}  // namespace mote
