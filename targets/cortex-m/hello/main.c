// Board bring-up: semihosting stdio, host files, FPU, bench markers, exit.
//
//   mote-hello [FILE [EXIT_CODE [LOOPS]]]
//
// Prints its arguments, does some float math, writes FILE on the host and
// reads it back, runs LOOPS (default 3) marked benchmark windows of a fixed
// loop (for bench/qemu_plugin), then exits with EXIT_CODE (default 0).
// `mote-hello fault` triggers a HardFault on purpose (a read from the board's
// MOTE_BOARD_UNMAPPED_ADDRESS). It also prints the core's CPUID register, to
// tell which CPU QEMU really built.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif

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

  // SCB CPUID: implementer 0x41, part number in bits 15:4 (0xC20 Cortex-M0,
  // 0xC23 M3, 0xC24 M4, 0xC27 M7, 0xD21 M33, 0xD22 M55).
  printf("mote-hello: CPUID %08lx\n", (unsigned long)*(volatile uint32_t*)0xE000ED00u);

  if (argc > 1 && strcmp(argv[1], "fault") == 0) {
    // Read from an address with nothing behind it: BusFault -> HardFault.
    volatile uint32_t* nowhere = (volatile uint32_t*)MOTE_BOARD_UNMAPPED_ADDRESS;
    printf("mote-hello: %u\n", (unsigned)*nowhere);
  }

  volatile float a = 1.5f;
  volatile float b = 2.25f;
  const float product = a * b;
  printf("mote-hello: float 1.5 * 2.25 = %.4f\n", (double)product);

  int ok = product == 3.375f;

#if defined(__ARM_FP) && (__ARM_FP & 8)
  // Double-precision FPU (Cortex-M7 FPv5-D16, Cortex-M55): done in hardware.
  volatile double da = 1.5;
  volatile double db = 2.25;
  const double dproduct = da * db;
  printf("mote-hello: double 1.5 * 2.25 = %.4f (hardware)\n", dproduct);
  ok = ok && dproduct == 3.375;
#endif

#if defined(__ARM_FEATURE_MVE)
  // Helium (MVE) integer instructions, and float ones when the build has
  // MVE-F (toolchains/arm-none-eabi.cmake leaves it out for the runtime: MVE
  // float always flushes subnormals to zero). Either faults with NOCP unless
  // the start-up code has opened CP10/CP11 in CPACR.
  {
    static volatile int8_t kA[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static volatile int8_t kB[16] = {-1, -1, -1, -1, 1, 1, 1, 1, 2, 2, 2, 2, 120, 120, 120, 120};
    int8_t a8[16], b8[16];
    for (int i = 0; i < 16; ++i) a8[i] = kA[i], b8[i] = kB[i];
    // Dot product with a 32-bit accumulator (VMLADAV.S8), saturating add (VQADD.S8).
    const int32_t dot = vmladavq_s8(vld1q_s8(a8), vld1q_s8(b8));
    int8_t sat[16];
    vst1q_s8(sat, vqaddq_s8(vld1q_s8(a8), vld1q_s8(b8)));
    printf("mote-hello: MVE dot %ld, saturated %d\n", (long)dot, sat[15]);
    ok = ok && dot == 7060 && sat[15] == 127;
#if (__ARM_FEATURE_MVE & 2)
    const float32x4_t fv = vmulq_f32(vdupq_n_f32(a), vdupq_n_f32(b));
    const float fsum = vgetq_lane_f32(fv, 0) + vgetq_lane_f32(fv, 3);
    printf("mote-hello: MVE-F lanes %.4f\n", (double)fsum);
    ok = ok && fsum == 6.75f;
#endif
  }
#endif

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
