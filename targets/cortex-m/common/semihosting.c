// Raw Arm semihosting calls; see semihosting.h.
#include "semihosting.h"

uintptr_t mote_semihost_call(uintptr_t op, uintptr_t arg) {
  register uintptr_t r0 __asm__("r0") = op;
  register uintptr_t r1 __asm__("r1") = arg;
  // The host may read and write memory through r1: clobber "memory".
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

intptr_t mote_semihost_open(const char* path, int mode) {
  size_t length = 0;
  while (path[length] != '\0') ++length;
  uintptr_t block[3] = {(uintptr_t)path, (uintptr_t)mode, length};
  return (intptr_t)mote_semihost_call(kSemihostSysOpen, (uintptr_t)block);
}

int mote_semihost_close(intptr_t handle) {
  uintptr_t block[1] = {(uintptr_t)handle};
  return mote_semihost_call(kSemihostSysClose, (uintptr_t)block) == 0 ? 0 : -1;
}

intptr_t mote_semihost_read(intptr_t handle, void* buffer, size_t size) {
  uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)buffer, size};
  // SYS_READ returns the number of bytes *not* read; a host error gives -1
  // (QEMU 7.2) or, per the specification, a value above `size`.
  const uintptr_t not_read = mote_semihost_call(kSemihostSysRead, (uintptr_t)block);
  if (not_read > size) return -1;
  return (intptr_t)(size - not_read);
}

int mote_semihost_write(intptr_t handle, const void* buffer, size_t size) {
  uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)buffer, size};
  // SYS_WRITE returns the number of bytes *not* written.
  return mote_semihost_call(kSemihostSysWrite, (uintptr_t)block) == 0 ? 0 : -1;
}

intptr_t mote_semihost_flen(intptr_t handle) {
  uintptr_t block[1] = {(uintptr_t)handle};
  return (intptr_t)mote_semihost_call(kSemihostSysFlen, (uintptr_t)block);
}

void mote_semihost_write0(const char* text) {
  (void)mote_semihost_call(kSemihostSysWrite0, (uintptr_t)text);
}

void mote_semihost_write_stdout(const char* text) {
  static intptr_t handle = -1;
  if (handle == -1) {
    handle = mote_semihost_open(":tt", kSemihostModeWrite);
    if (handle == -1) return;
  }
  size_t length = 0;
  while (text[length] != '\0') ++length;
  (void)mote_semihost_write(handle, text, length);
}

void mote_semihost_write_hex(uint32_t value) {
  char text[11];
  text[0] = '0';
  text[1] = 'x';
  for (int i = 0; i < 8; ++i) {
    const uint32_t nibble = (value >> (28 - 4 * i)) & 0xFu;
    text[2 + i] = (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
  }
  text[10] = '\0';
  mote_semihost_write0(text);
}

void mote_semihost_write_dec(int32_t value) {
  char text[12];
  char* p = text + sizeof(text);
  *--p = '\0';
  // Work on the magnitude as unsigned so INT32_MIN does not overflow.
  uint32_t magnitude = value < 0 ? 0u - (uint32_t)value : (uint32_t)value;
  do {
    *--p = (char)('0' + magnitude % 10u);
    magnitude /= 10u;
  } while (magnitude != 0);
  if (value < 0) *--p = '-';
  mote_semihost_write0(p);
}

int mote_semihost_get_cmdline(char* buffer, size_t size) {
  if (size < 2) return -1;
  uintptr_t block[2] = {(uintptr_t)buffer, size - 1};
  if (mote_semihost_call(kSemihostSysGetCmdline, (uintptr_t)block) != 0) {
    return -1;
  }
  const size_t length = block[1] < size - 1 ? block[1] : size - 1;
  buffer[length] = '\0';
  return (int)length;
}

// True when the host implements SYS_EXIT_EXTENDED, advertised in byte 4,
// bit 0 of the magic file ":semihosting-features" ("SHFB" + feature bytes).
static int HasExitExtended(void) {
  static const char kName[] = ":semihosting-features";
  uintptr_t open_block[3] = {(uintptr_t)kName, 0 /* "r" */, sizeof(kName) - 1};
  const intptr_t handle = (intptr_t)mote_semihost_call(kSemihostSysOpen, (uintptr_t)open_block);
  if (handle == -1) return 0;
  uintptr_t handle_block[1] = {(uintptr_t)handle};
  int supported = 0;
  if ((intptr_t)mote_semihost_call(kSemihostSysFlen, (uintptr_t)handle_block) >= 5) {
    unsigned char bytes[5] = {0};
    uintptr_t read_block[3] = {(uintptr_t)handle, (uintptr_t)bytes, sizeof(bytes)};
    // SYS_READ returns the number of bytes *not* read.
    if (mote_semihost_call(kSemihostSysRead, (uintptr_t)read_block) == 0 &&
        bytes[0] == 'S' && bytes[1] == 'H' && bytes[2] == 'F' && bytes[3] == 'B') {
      supported = bytes[4] & 1;
    }
  }
  (void)mote_semihost_call(kSemihostSysClose, (uintptr_t)handle_block);
  return supported;
}

void mote_semihost_exit(int code) {
  if (HasExitExtended()) {
    uintptr_t block[2] = {kSemihostApplicationExit, (uintptr_t)(uint32_t)code};
    (void)mote_semihost_call(kSemihostSysExitExtended, (uintptr_t)block);
  } else {
    // AArch32 SYS_EXIT takes the reason itself in r1, without a sub-code.
    (void)mote_semihost_call(kSemihostSysExit, code == 0 ? kSemihostApplicationExit
                                                         : kSemihostRunTimeErrorUnknown);
  }
  for (;;) {
    // Only reached without a semihosting host.
    __asm__ volatile("bkpt 0");
  }
}
