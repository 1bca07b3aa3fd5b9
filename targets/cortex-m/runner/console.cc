// See console.h.
#include "console.h"

#include "semihosting.h"

namespace mote::runner {

void Console::Print(const char* format, ...) {
  va_list args;
  va_start(args, format);
  VPrint(format, args);
  va_end(args);
}

void Console::VPrint(const char* format, va_list args) {
  for (const char* p = format; *p != '\0'; ++p) {
    if (*p != '%') {
      Put(*p);
      continue;
    }
    ++p;
    int longs = 0;  // 0: int, 1: long, 2: long long, 3: size_t
    if (*p == 'z') {
      longs = 3;
      ++p;
    } else {
      while (*p == 'l' && longs < 2) {
        ++longs;
        ++p;
      }
    }
    switch (*p) {
      case 'd':
      case 'i': {
        long long value = longs == 0   ? va_arg(args, int)
                          : longs == 1 ? va_arg(args, long)
                          : longs == 2 ? va_arg(args, long long)
                                       : static_cast<long long>(va_arg(args, size_t));
        unsigned long long magnitude = static_cast<unsigned long long>(value);
        if (value < 0) {
          Put('-');
          magnitude = 0ull - magnitude;
        }
        PutUnsigned(magnitude, 10);
        break;
      }
      case 'u':
      case 'x': {
        const unsigned long long value = longs == 0   ? va_arg(args, unsigned)
                                         : longs == 1 ? va_arg(args, unsigned long)
                                         : longs == 2 ? va_arg(args, unsigned long long)
                                                      : va_arg(args, size_t);
        PutUnsigned(value, *p == 'x' ? 16 : 10);
        break;
      }
      case 'c':
        Put(static_cast<char>(va_arg(args, int)));
        break;
      case 's': {
        const char* text = va_arg(args, const char*);
        PutString(text != nullptr ? text : "(null)");
        break;
      }
      case '%':
        Put('%');
        break;
      case '\0':
        --p;  // a lone '%' at the end: stop at the terminator
        break;
      default:  // unsupported: print it as written
        Put('%');
        Put(*p);
        break;
    }
  }
}

void Console::Put(char c) {
  if (length_ == sizeof(buffer_)) Flush();
  buffer_[length_++] = c;
  if (c == '\n') Flush();
}

void Console::PutString(const char* text) {
  while (*text != '\0') Put(*text++);
}

void Console::PutUnsigned(unsigned long long value, unsigned base) {
  char digits[24];
  size_t n = 0;
  // 32-bit division while the value fits: ARMv6-M has no divide instruction
  // and the 64-bit helper is slower still.
  while (value > 0xFFFFFFFFull) {
    digits[n++] = "0123456789abcdef"[value % base];
    value /= base;
  }
  uint32_t small = static_cast<uint32_t>(value);
  do {
    digits[n++] = "0123456789abcdef"[small % base];
    small /= base;
  } while (small != 0);
  while (n > 0) Put(digits[--n]);
}

void Console::Flush() {
  if (length_ == 0) return;
  if (handle_ == -1) handle_ = mote_semihost_open(":tt", mode_);
  if (handle_ != -1) (void)mote_semihost_write(handle_, buffer_, length_);
  length_ = 0;
}

Console& Stdout() {
  static constinit Console console(kSemihostModeWrite);
  return console;
}

Console& Stderr() {
  static constinit Console console(kSemihostModeAppend);
  return console;
}

}  // namespace mote::runner
