// mote::ModelSlot: the model a device runs, replaced only by one that is
// verified to load and fit.
//
// A firmware keeps the running model's bytes and the candidate's (e.g. the
// bytes of an over-the-air download) in two separate buffers. Update()
// verifies the candidate completely — structure, version, CRC, semantic rules,
// every op available in this build, arena large enough — before it touches
// anything; if any check fails it returns that status and the running model
// keeps working, untouched. Only then does it switch, re-binding the same
// arena to the new model. The slot owns no memory.
#ifndef MOTE_MODEL_SLOT_H_
#define MOTE_MODEL_SLOT_H_

#include <stdint.h>

#include <span>

#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/status.h"

namespace mote {

class ModelSlot {
 public:
  // `arena` is used by every model the slot runs; it must outlive the slot.
  explicit ModelSlot(std::span<uint8_t> arena) : arena_(arena) {}

  // Verifies `file` and switches to it on success. On failure the slot keeps
  // its current model (if any) and returns the reason: kTruncatedFile,
  // kCorruptFile, kIntegrityMismatch, kVersionMismatch, kUnsupportedOp,
  // kArenaTooSmall (the diagnostic carries the bytes needed), kBadAlignment.
  // `file` must stay valid and unchanged while it is the running model.
  Status Update(std::span<const uint8_t> file);

  bool has_model() const { return interpreter_.model().valid(); }
  const Model& model() const { return interpreter_.model(); }
  Interpreter& interpreter() { return interpreter_; }
  // Successful updates so far (0: no model yet).
  uint32_t generation() const { return generation_; }

 private:
  std::span<uint8_t> arena_;
  Interpreter interpreter_;
  uint32_t generation_ = 0;
};

}  // namespace mote

#endif  // MOTE_MODEL_SLOT_H_
