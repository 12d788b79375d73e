#pragma once
// Hexadecimal digits, as percent-encoding and JSON's \uXXXX escapes write them.

namespace tributary {

// The value of the hex digit `c` (either case), or -1 if it is not one.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace tributary
