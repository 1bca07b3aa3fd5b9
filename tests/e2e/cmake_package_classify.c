/* A C program built with nothing but `pkg-config --cflags --libs mote`
 * (tests/e2e/cmake_package_test.py): runs a .mote file on rows of float32
 * features and prints each row's outputs, dequantized, as float bits in hex.
 *
 *   classify MODEL.mote FEATURES.f32 ROWS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote/mote_c.h"

static long ReadFile(const char* path, uint8_t* buffer, long capacity) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return -1;
  const long n = (long)fread(buffer, 1, (size_t)capacity, f);
  fclose(f);
  return n;
}

int main(int argc, char** argv) {
  static _Alignas(16) uint8_t file[1 << 16];
  static _Alignas(16) uint8_t arena[1 << 16];
  static float features[1 << 14];
  if (argc != 4) return 2;
  const long size = ReadFile(argv[1], file, sizeof(file));
  const long rows = atol(argv[3]);
  const long feature_bytes = ReadFile(argv[2], (uint8_t*)features, sizeof(features));
  if (size <= 0 || rows <= 0 || feature_bytes <= 0) return 3;

  mote_model_t model;
  mote_interpreter_t interpreter;
  mote_status_t status = mote_model_load(&model, file, (size_t)size);
  if (status == MOTE_OK)
    status = mote_interpreter_create(&interpreter, &model, arena, sizeof(arena));
  if (status != MOTE_OK) {
    printf("classify: %s\n", mote_status_name(status));
    return 1;
  }
  const size_t in = mote_interpreter_input_size(&interpreter, 0);
  const size_t out = mote_interpreter_output_size(&interpreter, 0);
  if ((size_t)feature_bytes != rows * in * sizeof(float) || out > 64) return 4;
  for (long r = 0; r < rows; ++r) {
    float scores[64];
    status = mote_interpreter_set_input_f32(&interpreter, 0, features + r * in, in);
    if (status == MOTE_OK) status = mote_interpreter_invoke(&interpreter);
    if (status == MOTE_OK) status = mote_interpreter_get_output_f32(&interpreter, 0, scores, out);
    if (status != MOTE_OK) {
      printf("classify: %s\n", mote_status_name(status));
      return 1;
    }
    printf("row %ld:", r);
    for (size_t i = 0; i < out; ++i) {
      uint32_t bits;
      memcpy(&bits, &scores[i], sizeof(bits));
      printf(" %08x", (unsigned)bits);
    }
    printf("\n");
  }
  return 0;
}
