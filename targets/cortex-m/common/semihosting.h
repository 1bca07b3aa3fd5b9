// Raw Arm semihosting calls (BKPT 0xAB on M-profile), independent of newlib.
//
// Used where newlib's stdio cannot be trusted or is not linked: the fault
// handler, the command-line fetch in start-up, and the exit path. Under QEMU
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

// One semihosting call: operation in r0, parameter in r1, result in r0.
uintptr_t mote_semihost_call(uintptr_t op, uintptr_t arg);

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
