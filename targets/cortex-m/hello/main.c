// Board bring-up: semihosting stdio, host files, FPU, bench markers, exit.
//
//   mote-hello [FILE [EXIT_CODE [LOOPS]]]
//
// Prints its arguments, does some float math, writes FILE on the host and
// reads it back, runs LOOPS (default 3) marked benchmark windows of a fixed
// loop (for bench/qemu_plugin), then exits with EXIT_CODE (default 0).
// `mote-hello fault` triggers a HardFault on purpose.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_markers.h"

// Name the fault handler prints (startup.c).
const char mote_firmware_name[] = "mote-hello";

static int CheckFile(const char* path) {
  static const char kText[] = "mote semihosting file round trip\n";
  FILE* f = fopen(path, "wb");
  if (f == NULL) {
    fprintf(stderr, "mote-hello: cannot create %s\n", path);
    return 0;
  }
  const size_t written = fwrite(kText, 1, sizeof(kText) - 1, f);
  if (fclose(f) != 0 || written != sizeof(kText) - 1) return 0;

  char back[64] = {0};
  f = fopen(path, "rb");
  if (f == NULL) return 0;
  const size_t read = fread(back, 1, sizeof(back) - 1, f);
  fclose(f);
  printf("mote-hello: file %s: wrote %u bytes, read %u bytes back\n", path,
         (unsigned)written, (unsigned)read);
  return read == written && memcmp(back, kText, read) == 0;
}

// A fixed amount of work: the instruction count between the markers must be
// the same on every run.
static uint32_t Work(uint32_t seed) {
  volatile uint32_t x = seed;
  for (int i = 0; i < 1000; ++i) x = x * 1664525u + 1013904223u;
  return x;
}

int main(int argc, char** argv) {
  printf("mote-hello: argc=%d\n", argc);
  for (int i = 0; i < argc; ++i) printf("mote-hello: argv[%d]=%s\n", i, argv[i]);

  if (argc > 1 && strcmp(argv[1], "fault") == 0) {
    // Read from an address with nothing behind it: BusFault -> HardFault.
    volatile uint32_t* nowhere = (volatile uint32_t*)0xF0000000u;
    printf("mote-hello: %u\n", (unsigned)*nowhere);
  }

  volatile float a = 1.5f;
  volatile float b = 2.25f;
  const float product = a * b;
  printf("mote-hello: float 1.5 * 2.25 = %.4f\n", (double)product);

  int ok = product == 3.375f;
  if (argc > 1) ok = CheckFile(argv[1]) && ok;

  const int loops = argc > 3 ? atoi(argv[3]) : 3;
  uint32_t sum = 0;
  for (int i = 0; i < loops; ++i) {
    mote_bench_begin();
    sum += Work((uint32_t)i);
    mote_bench_end();
  }
  printf("mote-hello: %d marked windows, checksum %08lx\n", loops, (unsigned long)sum);

  const int code = !ok ? 1 : argc > 2 ? atoi(argv[2]) : 0;
  printf("mote-hello: exit %d\n", code);
  return code;
}
