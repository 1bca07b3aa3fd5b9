// C run-time entry for firmware linked without any libc I/O (nosys): calls
// main() with no arguments, then reports its result through semihosting
// exit if a host is there to listen, or stops.
#include <stddef.h>

#include "semihosting.h"

int main(int argc, char** argv);

__attribute__((noreturn)) void mote_crt_main(void) {
  static char kName[] = "firmware";
  static char* argv[] = {kName, NULL};
  mote_semihost_exit(main(1, argv));
}
