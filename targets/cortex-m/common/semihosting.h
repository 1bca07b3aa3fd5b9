// Raw Arm semihosting calls (BKPT 0xAB on M-profile), independent of newlib.
//
// Used where newlib's stdio cannot be trusted or is not linked: the fault
// handler, the command-line fetch in start-up, the exit path, and all of the
// runner's I/O (files, stdout, stderr: it needs no heap). Under QEMU
// they need `-semihosting-config enable=on,target=native`; on hardware
// without a debugger attached a BKPT escalates to a HardFault (lockup if it
// happens inside the fault handler).
#ifndef MOTE_CORTEX_M_SEMIHOSTING_H_
#define MOTE_CORTEX_M_SEMIHOSTING_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  kSemihostSysOpen = 0x01,
  kSemihostSysClose = 0x02,
  kSemihostSysWrite0 = 0x04,
  kSemihostSysWrite = 0x05,
  kSemihostSysRead = 0x06,
  kSemihostSysFlen = 0x0C,
  kSemihostSysGetCmdline = 0x15,
  kSemihostSysExit = 0x18,
  kSemihostSysExitExtended = 0x20,
};

// Reason codes of SYS_EXIT (Arm semihosting spec, "ADP_Stopped_*").
enum {
  kSemihostApplicationExit = 0x20026,
  kSemihostRunTimeErrorUnknown = 0x20023,
};

// SYS_OPEN modes: the index of the fopen() mode string in
// {"r", "rb", "r+", "r+b", "w", "wb", "w+", "w+b", "a", "ab", "a+", "a+b"}.
// On the special file ":tt", QEMU 7.2 gives its stdin for modes 0-3, its
// stdout for 4-7 and its stderr for 8-11.
enum {
  kSemihostModeReadBinary = 1,
  kSemihostModeWrite = 4,
  kSemihostModeWriteBinary = 5,
  kSemihostModeAppend = 8,
};

// One semihosting call: operation in r0, parameter in r1, result in r0.
uintptr_t mote_semihost_call(uintptr_t op, uintptr_t arg);

// Opens a host file (SYS_OPEN) with one of the kSemihostMode* values; returns
// the host's handle, or -1.
intptr_t mote_semihost_open(const char* path, int mode);

// Closes a handle (SYS_CLOSE); returns 0 on success, -1 on failure.
int mote_semihost_close(intptr_t handle);

// Reads up to `size` bytes (SYS_READ); returns the number of bytes read
// (fewer than `size` at the end of the file), or -1 on a host error.
intptr_t mote_semihost_read(intptr_t handle, void* buffer, size_t size);

// Writes `size` bytes (SYS_WRITE); returns 0 when all were written, -1
// otherwise.
int mote_semihost_write(intptr_t handle, const void* buffer, size_t size);

// The length of an open file in bytes (SYS_FLEN), or -1.
intptr_t mote_semihost_flen(intptr_t handle);

// Writes a NUL-terminated string to the debug console (SYS_WRITE0).
void mote_semihost_write0(const char* text);

// Writes a NUL-terminated string to the host's standard output: ":tt"
// opened for writing ("w"), which QEMU 7.2 maps to its own stdout, whereas
// SYS_WRITE0 goes to the semihosting console (QEMU's stderr by default).
void mote_semihost_write_stdout(const char* text);

// Writes `value` as 0x%08x to the debug console.
void mote_semihost_write_hex(uint32_t value);

// Writes `value` in decimal to the debug console.
void mote_semihost_write_dec(int32_t value);

// Fetches the command line (SYS_GET_CMDLINE) into `buffer`; returns its
// length, or -1 when the host refuses (no semihosting, buffer too small).
int mote_semihost_get_cmdline(char* buffer, size_t size);

// Ends the emulation with `code`. With QEMU 7.2 and an AArch32 guest the code
// reaches QEMU's own exit status only through SYS_EXIT_EXTENDED, which this
// uses when the host advertises it (":semihosting-features"); otherwise it
// falls back to SYS_EXIT, whose 32-bit form carries only "success" (0) or
// "failure" (QEMU exits 1). See targets/cortex-m/README.md.
__attribute__((noreturn)) void mote_semihost_exit(int code);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // MOTE_CORTEX_M_SEMIHOSTING_H_
