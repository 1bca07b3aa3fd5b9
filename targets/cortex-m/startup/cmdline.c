// argc/argv from the semihosting command line; see cmdline.h.
//
// QEMU joins its `-semihosting-config arg=...` values with single spaces, so
// arguments are split at spaces (an argument cannot contain one). The
// buffer sizes come from the board (MOTE_BOARD_CMDLINE_BYTES,
// MOTE_BOARD_MAX_ARGS in boards/<board>/board.cmake).
#include "cmdline.h"

#include <stddef.h>

#include "semihosting.h"

#ifndef MOTE_CMDLINE_BYTES
#error "MOTE_CMDLINE_BYTES comes from the board (MOTE_BOARD_CMDLINE_BYTES)"
#endif
#ifndef MOTE_MAX_ARGS
#error "MOTE_MAX_ARGS comes from the board (MOTE_BOARD_MAX_ARGS)"
#endif
#define MOTE_STRINGIFY_(x) #x
#define MOTE_STRINGIFY(x) MOTE_STRINGIFY_(x)

// startup.c (weak "firmware"; the runner names itself "mote-runner").
extern const char mote_firmware_name[];

static char g_cmdline[MOTE_CMDLINE_BYTES];
static char* g_argv[MOTE_MAX_ARGS + 1];

static int SplitCommandLine(char* text, char** argv, int max_args) {
  int argc = 0;
  char* p = text;
  while (*p != '\0') {
    while (*p == ' ') *p++ = '\0';
    if (*p == '\0') break;
    if (argc == max_args) return -1;
    argv[argc++] = p;
    while (*p != '\0' && *p != ' ') ++p;
  }
  argv[argc] = NULL;
  return argc;
}

// Reports like the runner and the fault handler do: a line on stderr, then
// "<name>: exit 100" as the last line on stdout.
__attribute__((noreturn)) static void Fail(const char* what) {
  mote_semihost_write0(mote_firmware_name);
  mote_semihost_write0(": error: ");
  mote_semihost_write0(what);
  mote_semihost_write0(": I/O error (status 100)\n");
  mote_semihost_write_stdout(mote_firmware_name);
  mote_semihost_write_stdout(": exit 100\n");
  mote_semihost_exit(100);
}

int mote_crt_command_line(char*** argv) {
  // QEMU 7.2 answers with "" when it was given no arguments, and refuses
  // (-1) only when the buffer is too small.
  if (mote_semihost_get_cmdline(g_cmdline, sizeof(g_cmdline)) < 0) {
    Fail("the command line is longer than " MOTE_STRINGIFY(MOTE_CMDLINE_BYTES)
         " bytes (MOTE_BOARD_CMDLINE_BYTES)");
  }
  int argc = SplitCommandLine(g_cmdline, g_argv, MOTE_MAX_ARGS);
  if (argc < 0) {
    Fail("more than " MOTE_STRINGIFY(MOTE_MAX_ARGS)
         " command-line arguments (MOTE_BOARD_MAX_ARGS)");
  }
  if (argc == 0) {
    static char kNoName[] = "firmware";
    g_argv[0] = kNoName;
    g_argv[1] = NULL;
    argc = 1;
  }
  *argv = g_argv;
  return argc;
}
