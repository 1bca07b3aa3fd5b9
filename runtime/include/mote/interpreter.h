// mote::Interpreter: runs a verified Model in a caller-provided arena.
//
// The interpreter owns nothing: tensors live in the model buffer (constants)
// or the arena (activations) at offsets planned by modelc. Create() only
// checks that the arena is large enough and aligned; Invoke() runs the
// operators in order and cannot fail on a verified model.
#ifndef MOTE_INTERPRETER_H_
#define MOTE_INTERPRETER_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/model.h"
#include "mote/status.h"
#include "mote/tensor.h"

namespace mote {

// Called before (begin = true) and after each operator; for profilers.
using OpHook = void (*)(void* context, size_t op_index, bool begin);

class Interpreter {
 public:
  Interpreter() = default;

  // `arena` must be 16-byte aligned and at least model.arena_size() bytes
  // (kArenaTooSmall otherwise; the diagnostic carries both sizes). The model
  // and arena must outlive the interpreter. Resets the model's state
  // (ResetState).
  static Result<Interpreter> Create(const Model& model, std::span<uint8_t> arena);

  // Runs the model once on the current contents of the input tensors. A
  // streaming model (one with persistent tensors, modelc --stream) keeps
  // state between invokes: its outputs depend on every input since the last
  // reset, and Invoke never resets it.
  Status Invoke();

  // Sets every persistent tensor (a FIFO window, a recurrent layer's hidden
  // state) to real zero, as Create() left it: the next Invoke starts a new
  // stream. Cost: the model's state bytes (Model::state_size()).
  void ResetState();

  // Runs the golden vectors modelc embedded (`--selftest N`) and compares
  // every output byte with what the host computed: kSelfTestMismatch on any
  // difference (the diagnostic names the vector and byte). `vectors` (may be
  // null) receives how many ran; 0 and kOk if the model has none. Overwrites
  // the input and output tensors.
  Status SelfTest(uint32_t* vectors = nullptr);

  size_t num_inputs() const { return model_.num_inputs(); }
  size_t num_outputs() const { return model_.num_outputs(); }
  // Views into the arena; write inputs before Invoke(), read outputs after.
  TensorView input(size_t i) const;
  TensorView output(size_t i) const;
  const Model& model() const { return model_; }

  // Output `k` of operator `op`, for debugging tools (layer-by-layer
  // comparison): read it from an OpHook right after the operator ran, since
  // the arena is reused by later operators. Returns an empty view for
  // indices out of range.
  size_t num_op_outputs(size_t op) const;
  TensorView op_output(size_t op, size_t k) const;

  void set_op_hook(OpHook hook, void* context) {
    hook_ = hook;
    hook_context_ = context;
  }

 private:
  TensorView View(int32_t tensor_index) const;

  Model model_;
  uint8_t* arena_ = nullptr;
  OpHook hook_ = nullptr;
  void* hook_context_ = nullptr;
};

}  // namespace mote

#endif  // MOTE_INTERPRETER_H_
