/* The mote runtime for C firmware. Every object lives in storage the caller
 * provides (no allocation); functions return a mote_status_t whose values are
 * those of mote::Status (0 = ok; mote_status_name() names them). */
#ifndef MOTE_MOTE_C_H_
#define MOTE_MOTE_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t mote_status_t;
enum {
  MOTE_OK = 0,
  MOTE_CORRUPT_FILE = 1,
  MOTE_INTEGRITY_MISMATCH = 2,
  MOTE_VERSION_MISMATCH = 3,
  MOTE_UNSUPPORTED_OP = 4,
  MOTE_ARENA_TOO_SMALL = 5,
  MOTE_INPUT_SHAPE_MISMATCH = 6,
  MOTE_INPUT_TYPE_MISMATCH = 7,
  MOTE_BAD_ALIGNMENT = 8,
  MOTE_INVALID_ARGUMENT = 9,
  MOTE_TRUNCATED_FILE = 10,
  MOTE_NOT_INITIALIZED = 11,
  MOTE_SELFTEST_MISMATCH = 12
};

/* Opaque, caller-allocated state (e.g. `static mote_model_t model;`). */
typedef struct { void* impl[2]; } mote_model_t;
typedef struct { void* impl[6]; } mote_interpreter_t;

typedef struct {
  uint32_t values, below, above, not_finite;
} mote_drift_t;

const char* mote_status_name(mote_status_t status);

/* `data` (16-byte aligned, e.g. the array of a modelc --header) must outlive
 * the model. */
mote_status_t mote_model_load(mote_model_t* model, const uint8_t* data, size_t size);
uint32_t mote_model_arena_size(const mote_model_t* model);
/* Class name of `label` in output `output` of a classifier trained with string
   labels (the output holds indices), or NULL. */
const char* mote_model_class_name(const mote_model_t* model, size_t output, int64_t label);

/* `arena` must be 16-byte aligned and at least mote_model_arena_size() bytes. */
mote_status_t mote_interpreter_create(mote_interpreter_t* interpreter, const mote_model_t* model, uint8_t* arena,
                                      size_t arena_size);
mote_status_t mote_interpreter_invoke(mote_interpreter_t* interpreter);
size_t mote_interpreter_input_count(const mote_interpreter_t* interpreter);
size_t mote_interpreter_output_count(const mote_interpreter_t* interpreter);
/* Element counts of one input/output tensor. */
size_t mote_interpreter_input_size(const mote_interpreter_t* interpreter, size_t index);
size_t mote_interpreter_output_size(const mote_interpreter_t* interpreter, size_t index);
/* Writes float values into input `index`, quantizing if the model wants
 * integers (NaN becomes the zero point, +-Inf saturates). */
mote_status_t mote_interpreter_set_input_f32(mote_interpreter_t* interpreter, size_t index, const float* values,
                                             size_t count);
/* Reads output `index` as floats (dequantized; int64 labels converted). */
mote_status_t mote_interpreter_get_output_f32(const mote_interpreter_t* interpreter, size_t index, float* values,
                                              size_t count);

/* Runs the golden vectors embedded by `modelc convert --selftest N` and
 * compares every output byte; MOTE_SELFTEST_MISMATCH on any difference.
 * `vectors` receives how many were run (0 if the model has none). */
mote_status_t mote_interpreter_selftest(mote_interpreter_t* interpreter, uint32_t* vectors);

/* Adds to `drift` the values of `values` outside input `index`'s calibration range. */
mote_status_t mote_drift_count(const mote_model_t* model, size_t index, const float* values, size_t count,
                               mote_drift_t* drift);

#ifdef __cplusplus
}
#endif

#endif /* MOTE_MOTE_C_H_ */
