// C run-time entry for firmware that talks to the host through semihosting
// with newlib's librdimon (--specs=rdimon.specs, -nostartfiles): it replaces
// newlib's rdimon-crt0.o, whose stack and heap placement comes from the
// host's SYS_HEAPINFO answer rather than from the board's linker script.
//
// argc/argv come from SYS_GET_CMDLINE: QEMU joins its
// `-semihosting-config arg=...` values with single spaces, so arguments are
// split at spaces (an argument cannot contain one).
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "semihosting.h"

int main(int argc, char** argv);
// librdimon: opens ":tt" for stdin, stdout and stderr.
void initialise_monitor_handles(void);

#define MOTE_MAX_ARGS 64
#define MOTE_CMDLINE_BYTES 4096

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

__attribute__((noreturn)) void mote_crt_main(void) {
  initialise_monitor_handles();
  int argc = 0;
  if (mote_semihost_get_cmdline(g_cmdline, sizeof(g_cmdline)) >= 0) {
    argc = SplitCommandLine(g_cmdline, g_argv, MOTE_MAX_ARGS);
    if (argc < 0) {
      mote_semihost_write0("crt: more than 64 command-line arguments\n");
      mote_semihost_exit(100);
    }
  }
  if (argc == 0) {
    static char kNoName[] = "firmware";
    g_argv[0] = kNoName;
    g_argv[1] = NULL;
    argc = 1;
  }
  // exit() flushes stdio and ends in librdimon's _exit, which uses
  // SYS_EXIT_EXTENDED when the host offers it (QEMU 7.2 does), so the code
  // becomes QEMU's exit status.
  exit(main(argc, g_argv));
}

// The heap for newlib (stdio buffers, ...): the linker script's .heap
// section, between the end of .bss and the stack. Overrides librdimon's
// weak _sbrk, which would grow up to the stack pointer.
extern char __heap_start[];
extern char __heap_end[];

void* _sbrk(ptrdiff_t increment) {
  static char* heap_top = __heap_start;
  if (increment > __heap_end - heap_top || increment < __heap_start - heap_top) {
    errno = ENOMEM;
    return (void*)-1;
  }
  char* const previous = heap_top;
  heap_top += increment;
  return previous;
}
