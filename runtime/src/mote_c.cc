#include "mote/mote_c.h"

#include <new>

#include "mote/diagnostics.h"
#include "mote/drift.h"
#include "mote/interpreter.h"
#include "mote/quantize.h"

namespace {

static_assert(sizeof(mote::Model) <= sizeof(mote_model_t) && alignof(mote::Model) <= alignof(mote_model_t));
static_assert(sizeof(mote::Interpreter) <= sizeof(mote_interpreter_t) &&
              alignof(mote::Interpreter) <= alignof(mote_interpreter_t));

mote::Model* AsModel(mote_model_t* m) { return reinterpret_cast<mote::Model*>(m); }
const mote::Model* AsModel(const mote_model_t* m) { return reinterpret_cast<const mote::Model*>(m); }
mote::Interpreter* AsInterp(mote_interpreter_t* i) { return reinterpret_cast<mote::Interpreter*>(i); }
const mote::Interpreter* AsInterp(const mote_interpreter_t* i) { return reinterpret_cast<const mote::Interpreter*>(i); }

mote_status_t Code(mote::Status s) { return static_cast<mote_status_t>(s); }

}  // namespace

extern "C" {

const char* mote_status_name(mote_status_t status) { return mote::StatusName(static_cast<mote::Status>(status)); }

mote_status_t mote_model_load(mote_model_t* model, const uint8_t* data, size_t size) {
  if (model == nullptr) return MOTE_INVALID_ARGUMENT;
  new (model) mote::Model();  // placement into caller storage: no allocation
  const mote::Result<mote::Model> r = mote::Model::Load({data, size});
  if (r.ok()) *AsModel(model) = r.value();
  return Code(r.status());
}

uint32_t mote_model_arena_size(const mote_model_t* model) { return model ? AsModel(model)->arena_size() : 0; }

const char* mote_model_class_name(const mote_model_t* model, size_t output, int64_t label) {
  return model ? AsModel(model)->class_name(output, label) : nullptr;
}

mote_status_t mote_interpreter_create(mote_interpreter_t* interpreter, const mote_model_t* model, uint8_t* arena,
                                      size_t arena_size) {
  if (interpreter == nullptr || model == nullptr) return MOTE_INVALID_ARGUMENT;
  new (interpreter) mote::Interpreter();
  const mote::Result<mote::Interpreter> r = mote::Interpreter::Create(*AsModel(model), {arena, arena_size});
  if (r.ok()) *AsInterp(interpreter) = r.value();
  return Code(r.status());
}

mote_status_t mote_interpreter_invoke(mote_interpreter_t* interpreter) {
  if (interpreter == nullptr) return MOTE_INVALID_ARGUMENT;
  return Code(AsInterp(interpreter)->Invoke());
}

mote_status_t mote_interpreter_reset_state(mote_interpreter_t* interpreter) {
  if (interpreter == nullptr) return MOTE_INVALID_ARGUMENT;
  AsInterp(interpreter)->ResetState();
  return MOTE_OK;
}

size_t mote_interpreter_input_count(const mote_interpreter_t* i) { return i ? AsInterp(i)->num_inputs() : 0; }
size_t mote_interpreter_output_count(const mote_interpreter_t* i) { return i ? AsInterp(i)->num_outputs() : 0; }

size_t mote_interpreter_input_size(const mote_interpreter_t* i, size_t index) {
  return (i && index < AsInterp(i)->num_inputs()) ? AsInterp(i)->input(index).num_elements() : 0;
}

size_t mote_interpreter_output_size(const mote_interpreter_t* i, size_t index) {
  return (i && index < AsInterp(i)->num_outputs()) ? AsInterp(i)->output(index).num_elements() : 0;
}

mote_status_t mote_interpreter_set_input_f32(mote_interpreter_t* i, size_t index, const float* values,
                                             size_t count) {
  if (i == nullptr || index >= AsInterp(i)->num_inputs()) return MOTE_INVALID_ARGUMENT;
  return Code(mote::QuantizeInto({values, count}, AsInterp(i)->input(index)));
}

mote_status_t mote_interpreter_get_output_f32(const mote_interpreter_t* i, size_t index, float* values,
                                              size_t count) {
  if (i == nullptr || index >= AsInterp(i)->num_outputs()) return MOTE_INVALID_ARGUMENT;
  return Code(mote::DequantizeFrom(AsInterp(i)->output(index), {values, count}));
}

mote_status_t mote_interpreter_selftest(mote_interpreter_t* interpreter, uint32_t* vectors) {
  if (interpreter == nullptr) return MOTE_INVALID_ARGUMENT;
  return Code(AsInterp(interpreter)->SelfTest(vectors));
}

mote_status_t mote_drift_count(const mote_model_t* model, size_t index, const float* values, size_t count,
                               mote_drift_t* drift) {
  if (model == nullptr || drift == nullptr) return MOTE_INVALID_ARGUMENT;
  mote::DriftCounts c{drift->values, drift->below, drift->above, drift->not_finite};
  const mote::Status s = mote::CountDrift(*AsModel(model), index, {values, count}, &c);
  drift->values = c.values;
  drift->below = c.below;
  drift->above = c.above;
  drift->not_finite = c.not_finite;
  return Code(s);
}

}  // extern "C"
