// argc/argv for the C run-time entries (crt_semihost.c, crt_raw.c), from the
// semihosting command line.
#ifndef MOTE_CORTEX_M_CMDLINE_H_
#define MOTE_CORTEX_M_CMDLINE_H_

// Fetches the command line (SYS_GET_CMDLINE) into a static buffer of
// MOTE_CMDLINE_BYTES, splits it at spaces into at most MOTE_MAX_ARGS
// arguments, points *argv at the NULL-terminated array and returns argc.
// An empty command line gives argv = {"firmware", NULL}. One that does not
// fit ends the program: "<name>: error: ..." on the semihosting console
// (QEMU's stderr), "<name>: exit 100" on stdout, exit code 100.
int mote_crt_command_line(char*** argv);

#endif  // MOTE_CORTEX_M_CMDLINE_H_
