// C run-time entry for firmware that does all its I/O through raw
// semihosting calls (common/semihosting.h) and links newlib-nano only for
// memcpy/memset/strlen (--specs=nano.specs --specs=nosys.specs): no stdio,
// no heap. argc/argv come from SYS_GET_CMDLINE (cmdline.c); main()'s result
// ends the emulation through mote_semihost_exit(), which uses
// SYS_EXIT_EXTENDED when the host offers it, so the code becomes QEMU's exit
// status.
#include "cmdline.h"
#include "semihosting.h"

int main(int argc, char** argv);

__attribute__((noreturn)) void mote_crt_main(void) {
  char** argv = 0;
  const int argc = mote_crt_command_line(&argv);
  mote_semihost_exit(main(argc, argv));
}
