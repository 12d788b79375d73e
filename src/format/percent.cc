#include "format/percent.h"

#include <simdjson.h>

#include <string>

#include "format/hex.h"

namespace tributary {

Result<std::string_view> PercentDecode(std::string_view in, Arena& arena) {
  if (in.find('%') == std::string_view::npos) {
    if (!simdjson::validate_utf8(in.data(), in.size()))
      return InvalidArgument("value is not valid UTF-8");
    return arena.Copy(in);
  }
  char* out = arena.Allocate(in.size());
  size_t n = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out[n++] = in[i];
      continue;
    }
    int hi = i + 2 < in.size() ? HexDigitValue(in[i + 1]) : -1;
    int lo = hi >= 0 ? HexDigitValue(in[i + 2]) : -1;
    if (lo < 0) {
      return InvalidArgument("invalid percent-encoding at offset " + std::to_string(i) +
                             ": '%' must be followed by two hex digits");
    }
    out[n++] = static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (!simdjson::validate_utf8(out, n)) {
    return InvalidArgument("percent-decoded value is not valid UTF-8");
  }
  return std::string_view(out, n);
}

void PercentEncode(std::string_view in, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : in) {
    if (c <= 0x20 || c == '"' || c == '%' || c >= 0x7F) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

}  // namespace tributary
