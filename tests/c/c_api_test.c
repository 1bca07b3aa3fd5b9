/* The C API used as C firmware would: load, create, set inputs, invoke, read
 * outputs, count drift. Prints "N passed, M failed". */
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote/mote_c.h"

static int passed, failed;
#define CHECK(cond)                                             \
  do {                                                          \
    if (cond) {                                                 \
      ++passed;                                                 \
    } else {                                                    \
      ++failed;                                                 \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
    }                                                           \
  } while (0)

static alignas(16) uint8_t model_bytes[64 * 1024];
static alignas(16) uint8_t arena[4096];

int main(int argc, char** argv) {
  if (argc < 2) {
    printf("usage: c_api_test MODEL.mote\n0 passed, 1 failed\n");
    return 1;
  }
  FILE* f = fopen(argv[1], "rb");
  const size_t size = f ? fread(model_bytes, 1, sizeof(model_bytes), f) : 0;
  if (f) fclose(f);
  CHECK(size > 0);

  mote_model_t model;
  CHECK(mote_model_load(&model, model_bytes, size) == MOTE_OK);
  CHECK(mote_model_load(&model, model_bytes, size / 2) == MOTE_TRUNCATED_FILE);
  CHECK(strcmp(mote_status_name(MOTE_ARENA_TOO_SMALL), "arena too small") == 0);
  CHECK(mote_model_load(&model, model_bytes, size) == MOTE_OK);
  const uint32_t need = mote_model_arena_size(&model);
  CHECK(need > 0 && need <= sizeof(arena));
  CHECK(mote_model_class_name(&model, 0, 0) == NULL); /* logits, not named classes */
  CHECK(mote_model_class_name(NULL, 0, 0) == NULL);

  mote_interpreter_t interp;
  CHECK(mote_interpreter_create(&interp, &model, arena, need - 1) == MOTE_ARENA_TOO_SMALL);
  CHECK(mote_interpreter_create(&interp, &model, arena, sizeof(arena)) == MOTE_OK);
  CHECK(mote_interpreter_input_count(&interp) == 1 && mote_interpreter_output_count(&interp) == 1);
  const size_t in_size = mote_interpreter_input_size(&interp, 0);
  const size_t out_size = mote_interpreter_output_size(&interp, 0);
  CHECK(in_size == 64 && out_size == 10);

  float x[64], y[10];
  for (size_t i = 0; i < 64; ++i) x[i] = (float)((i * 5) % 17) / 17.0f;
  CHECK(mote_interpreter_set_input_f32(&interp, 0, x, 64) == MOTE_OK);
  CHECK(mote_interpreter_set_input_f32(&interp, 0, x, 63) == MOTE_INVALID_ARGUMENT);
  CHECK(mote_interpreter_set_input_f32(&interp, 3, x, 64) == MOTE_INVALID_ARGUMENT);
  CHECK(mote_interpreter_invoke(&interp) == MOTE_OK);
  CHECK(mote_interpreter_get_output_f32(&interp, 0, y, 10) == MOTE_OK);
  int finite = 1;
  for (size_t i = 0; i < 10; ++i) finite = finite && isfinite(y[i]);
  CHECK(finite);
  /* A stateless model: resetting its (empty) state changes no output. */
  float again[10];
  CHECK(mote_interpreter_reset_state(&interp) == MOTE_OK);
  CHECK(mote_interpreter_reset_state(NULL) == MOTE_INVALID_ARGUMENT);
  /* The arena may reuse the input's bytes during an invoke: set it again. */
  CHECK(mote_interpreter_set_input_f32(&interp, 0, x, 64) == MOTE_OK);
  CHECK(mote_interpreter_invoke(&interp) == MOTE_OK);
  CHECK(mote_interpreter_get_output_f32(&interp, 0, again, 10) == MOTE_OK);
  CHECK(memcmp(again, y, sizeof(y)) == 0);

  /* Drift: digits pixels were calibrated in [0, 1]. */
  mote_drift_t drift = {0, 0, 0, 0};
  CHECK(mote_drift_count(&model, 0, x, 64, &drift) == MOTE_OK);
  CHECK(drift.values == 64 && drift.below + drift.above + drift.not_finite <= 64);
  const uint32_t outside_before = drift.below + drift.above;
  x[0] = -5.0f;
  x[1] = 50.0f;
  x[2] = NAN;
  x[3] = INFINITY;
  CHECK(mote_drift_count(&model, 0, x, 64, &drift) == MOTE_OK);
  CHECK(drift.values == 128);
  CHECK(drift.below >= 1 && drift.above >= 1 && drift.not_finite == 2);
  CHECK(drift.below + drift.above >= outside_before + 2);
  CHECK(mote_drift_count(&model, 1, x, 64, &drift) == MOTE_INVALID_ARGUMENT);
  /* NaN and Inf inputs still give a defined, finite result (NaN -> zero point, Inf saturates). */
  CHECK(mote_interpreter_set_input_f32(&interp, 0, x, 64) == MOTE_OK);
  CHECK(mote_interpreter_invoke(&interp) == MOTE_OK);
  CHECK(mote_interpreter_get_output_f32(&interp, 0, y, 10) == MOTE_OK);
  finite = 1;
  for (size_t i = 0; i < 10; ++i) finite = finite && isfinite(y[i]);
  CHECK(finite);

  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
