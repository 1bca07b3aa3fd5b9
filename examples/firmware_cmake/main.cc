// Classifies eight handwritten digits with the model mote_add_model() built in
// (digits_model.h), printing each one's class and raw output bytes (the same
// bytes `mote-sim run --raw` writes on the host, as the test checks).
#include <stdint.h>
#include <stdio.h>

#include <span>

#include "digits_model.h"  // mote_digits_model[], MOTE_DIGITS_ARENA_SIZE: modelc, at build time
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/quantize.h"

namespace {

// 8x8 images, 4-bit pixels (the first rows of models/digits_mlp/test_x.npy
// times 16), and their labels.
constexpr int kDigits = 8;
// clang-format off
constexpr uint8_t kPixels[kDigits][64] = {
    {  // 1
      0,  0,  0,  0, 11, 14,  3,  0,
      0,  0,  0,  2, 16, 16,  2,  0,
      0,  0,  0, 11, 16, 14,  0,  0,
      0,  0,  3, 16, 16, 15,  0,  0,
      0,  1, 13, 16, 16, 13,  0,  0,
      0,  6, 16,  9, 15, 13,  0,  0,
      0,  0,  0,  0, 12, 16,  1,  0,
      0,  0,  0,  0,  9, 14,  1,  0},
    {  // 4
      0,  0,  0, 10, 12,  0,  0,  0,
      0,  0,  4, 15,  1,  0,  0,  0,
      0,  0, 13, 10,  1,  2,  0,  0,
      0,  5, 15,  2, 15,  9,  1,  0,
      0, 11, 13,  6, 16, 16,  9,  0,
      0, 13, 16, 16, 16, 10,  2,  0,
      0,  2,  7, 13, 11,  0,  0,  0,
      0,  0,  0, 13, 11,  0,  0,  0},
    {  // 5
      0,  1, 13, 16, 16, 16, 12,  1,
      0,  6, 16, 14, 12, 11,  5,  0,
      0,  2, 15, 15,  5,  0,  0,  0,
      0,  0,  8, 14, 15,  1,  0,  0,
      0,  0,  0,  3, 16,  6,  0,  0,
      0,  0,  0,  3, 16,  5,  0,  0,
      0,  0,  7, 10, 16,  4,  0,  0,
      0,  0, 15, 16, 10,  0,  0,  0},
    {  // 6
      0,  0,  0, 16,  6,  0,  0,  0,
      0,  0,  3, 16,  6,  0,  0,  0,
      0,  0,  9, 16,  0,  0,  0,  0,
      0,  0, 12, 16, 12,  9,  1,  0,
      0,  0, 15, 16, 14, 13, 12,  0,
      0,  0, 14, 15,  7,  0, 15,  6,
      0,  0,  9, 14,  4,  7, 15,  8,
      0,  0,  1, 13, 16, 16, 12,  1},
    {  // 9
      0,  0,  5, 13,  4,  0,  0,  0,
      0,  0, 15, 14, 14,  5,  0,  0,
      0,  0, 12,  7,  8, 16,  1,  0,
      0,  0,  4, 13, 16, 16,  1,  0,
      0,  0,  0,  0,  0, 15,  2,  0,
      0,  0,  0,  0,  0, 14,  6,  0,
      0,  0,  2,  7,  8, 16,  4,  0,
      0,  0,  6, 12, 13, 10,  0,  0},
    {  // 1
      0,  0,  0,  5, 15, 13,  1,  0,
      0,  0,  2, 14, 16, 16,  4,  0,
      0,  0,  8, 16, 16, 16,  4,  0,
      0,  6, 15, 16, 16, 16,  1,  0,
      0,  3,  7, 10, 16, 16,  4,  0,
      0,  0,  0, 11, 16, 16,  1,  0,
      0,  0,  0, 12, 16, 16,  1,  0,
      0,  0,  0,  6, 14, 12,  1,  0},
    {  // 2
      0,  2, 13, 16, 10,  0,  0,  0,
      0,  6, 13, 10, 16,  0,  0,  0,
      0,  0,  0,  8, 14,  0,  0,  0,
      0,  0,  1, 14,  9,  0,  0,  0,
      0,  0,  9, 14,  1,  0,  0,  0,
      0,  1, 14,  7,  0,  0,  1,  0,
      0,  4, 16,  5,  7, 12, 14,  0,
      0,  3, 15, 16, 16, 10,  1,  0},
    {  // 2
      0,  2, 15, 15,  5,  0,  0,  0,
      0,  5, 16, 16, 11,  0,  0,  0,
      0,  9, 15, 16, 12,  0,  0,  0,
      0,  0,  4, 16,  6,  0,  0,  0,
      0,  0,  8, 16,  2,  0,  0,  0,
      0,  1, 14, 13,  0,  0,  0,  0,
      0,  4, 16, 14, 14, 16,  5,  0,
      0,  2, 14, 16, 13,  9,  1,  0},
};
// clang-format on
constexpr int kLabels[kDigits] = {1, 4, 5, 6, 9, 1, 2, 2};

alignas(16) uint8_t arena[MOTE_DIGITS_ARENA_SIZE];

int Fail(const char* what, mote::Status status) {
  printf("digits: %s: %s\n", what, mote::StatusName(status));
  return 1;
}

}  // namespace

int main() {
  mote::Result<mote::Model> model = mote::Model::Load(mote_digits_model);  // verifies everything
  if (!model.ok()) return Fail("load", model.status());
  mote::Result<mote::Interpreter> interpreter = mote::Interpreter::Create(model.value(), arena);
  if (!interpreter.ok()) return Fail("create", interpreter.status());
  mote::Interpreter& digits = interpreter.value();

  int correct = 0;
  for (int d = 0; d < kDigits; ++d) {
    float features[64];
    for (int i = 0; i < 64; ++i) features[i] = kPixels[d][i] / 16.0f;
    mote::Status status = mote::QuantizeInto(features, digits.input(0));  // float -> int8
    if (mote::Ok(status)) status = digits.Invoke();
    if (!mote::Ok(status)) return Fail("invoke", status);

    float scores[10];
    status = mote::DequantizeFrom(digits.output(0), scores);
    if (!mote::Ok(status)) return Fail("output", status);
    int best = 0;
    for (int c = 1; c < 10; ++c) {
      if (scores[c] > scores[best]) best = c;
    }
    correct += best == kLabels[d];
    printf("digit %d: class %d (label %d) output", d, best, kLabels[d]);
    for (uint8_t byte : digits.output(0).data) printf(" %02x", byte);
    printf("\n");
  }
  printf("digits: %d of %d correct, arena %u bytes\n", correct, kDigits,
         static_cast<unsigned>(MOTE_DIGITS_ARENA_SIZE));
  return 0;
}
