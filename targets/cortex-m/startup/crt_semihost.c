// C run-time entry for firmware that talks to the host through semihosting
// with newlib's librdimon (--specs=rdimon.specs, -nostartfiles): it replaces
// newlib's rdimon-crt0.o, whose stack and heap placement comes from the
// host's SYS_HEAPINFO answer rather than from the board's linker script.
//
// argc/argv come from SYS_GET_CMDLINE (cmdline.c): QEMU joins its
// `-semihosting-config arg=...` values with single spaces, so arguments are
// split at spaces (an argument cannot contain one).
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cmdline.h"
#include "semihosting.h"

int main(int argc, char** argv);
// librdimon: opens ":tt" for stdin, stdout and stderr.
void initialise_monitor_handles(void);

__attribute__((noreturn)) void mote_crt_main(void) {
  initialise_monitor_handles();
  char** argv = NULL;
  const int argc = mote_crt_command_line(&argv);
  // exit() flushes stdio and ends in librdimon's _exit, which uses
  // SYS_EXIT_EXTENDED when the host offers it (QEMU 7.2 does), so the code
  // becomes QEMU's exit status.
  exit(main(argc, argv));
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
