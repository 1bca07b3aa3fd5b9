// Status codes and Result<T>: every failure the runtime can report.
#ifndef MOTE_STATUS_H_
#define MOTE_STATUS_H_

#include <stdint.h>

namespace mote {

// Append only: the numeric values are part of the C API.
enum class [[nodiscard]] Status : uint8_t {
  kOk = 0,
  kCorruptFile = 1,          // structure or semantic rule violated
  kIntegrityMismatch = 2,    // CRC-32 of the payload does not match
  kVersionMismatch = 3,      // schema major version or min_runtime_version
  kUnsupportedOp = 4,        // opcode unknown or not compiled into this build
  kArenaTooSmall = 5,        // Model::arena_size() says how much is needed
  kInputShapeMismatch = 6,
  kInputTypeMismatch = 7,
  kBadAlignment = 8,         // model or arena buffer not 16-byte aligned
  kInvalidArgument = 9,      // bad call from the application (index, size)
  kTruncatedFile = 10,       // fewer bytes than the file says it has
  kNotInitialized = 11,
  kSelfTestMismatch = 12,    // the target computed other bytes than the host
};

inline constexpr bool Ok(Status s) { return s == Status::kOk; }

// Stable, human-readable name of a status ("corrupt file", ...).
const char* StatusName(Status s);

// A value or the status that explains its absence.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : status_(Status::kOk), value_(value) {}  // NOLINT
  Result(Status status) : status_(status), value_() {}              // NOLINT

  bool ok() const { return status_ == Status::kOk; }
  Status status() const { return status_; }
  // Only meaningful when ok().
  const T& value() const { return value_; }
  T& value() { return value_; }

 private:
  Status status_;
  T value_;
};

}  // namespace mote

// Returns from the enclosing function when `expr` is not kOk.
#define MOTE_TRY(expr)                                  \
  do {                                                  \
    const ::mote::Status mote_try_status_ = (expr);     \
    if (mote_try_status_ != ::mote::Status::kOk) {      \
      return mote_try_status_;                          \
    }                                                   \
  } while (0)

#endif  // MOTE_STATUS_H_
