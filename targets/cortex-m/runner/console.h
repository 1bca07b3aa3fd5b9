// Formatted output for the runner without newlib's stdio (no heap, no FILE):
// printf-style text on the host's stdout or stderr through raw semihosting.
#ifndef MOTE_CORTEX_M_RUNNER_CONSOLE_H_
#define MOTE_CORTEX_M_RUNNER_CONSOLE_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

namespace mote::runner {

// One of the host's streams, ":tt" opened with a semihosting mode (QEMU 7.2:
// "w" is its stdout, "a" its stderr), opened on first use. Text is buffered
// and written at each newline, when the buffer fills, and on Flush().
class Console {
 public:
  explicit constexpr Console(int mode) : mode_(mode) {}
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // The conversions %d %i %u %x %c %s %%, with the length modifiers l, ll
  // and z on the integer ones; no flags, width or precision.
  void Print(const char* format, ...) __attribute__((format(printf, 2, 3)));
  void VPrint(const char* format, va_list args) __attribute__((format(printf, 2, 0)));
  void Flush();

 private:
  void Put(char c);
  void PutString(const char* text);
  void PutUnsigned(unsigned long long value, unsigned base);

  int mode_;
  intptr_t handle_ = -1;
  size_t length_ = 0;
  char buffer_[64] = {};
};

Console& Stdout();
Console& Stderr();

}  // namespace mote::runner

#endif  // MOTE_CORTEX_M_RUNNER_CONSOLE_H_
