#include "format/base64.h"

#include <cstdint>

namespace tributary {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Decode6(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

size_t Base64EncodedSize(size_t n) { return (n + 2) / 3 * 4; }

void Base64EncodeTo(std::string_view in, char* out) {
  size_t i = 0, o = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out[o++] = kAlphabet[v >> 18];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = kAlphabet[(v >> 6) & 63];
    out[o++] = kAlphabet[v & 63];
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out[o++] = kAlphabet[v >> 18];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
}

void Base64Encode(std::string_view in, std::string& out) {
  size_t at = out.size();
  out.resize(at + Base64EncodedSize(in.size()));
  Base64EncodeTo(in, out.data() + at);
}

bool Base64Decode(std::string_view in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    for (int k = 0; k < 4; ++k) {
      char c = in[i + k];
      bool last_quad = i + 4 == in.size();
      if (c == '=' && last_quad && k >= 2) {
        v[k] = -2;
      } else {
        v[k] = Decode6(c);
        if (v[k] < 0) return false;
      }
    }
    if (v[2] == -2 && v[3] != -2) return false;  // "=x" is not padding
    if (v[0] < 0 || v[1] < 0) return false;
    uint32_t bits = static_cast<uint32_t>(v[0]) << 18 | static_cast<uint32_t>(v[1]) << 12 |
                    static_cast<uint32_t>(v[2] < 0 ? 0 : v[2]) << 6 |
                    static_cast<uint32_t>(v[3] < 0 ? 0 : v[3]);
    if (out) {
      out->push_back(static_cast<char>(bits >> 16));
      if (v[2] >= 0) out->push_back(static_cast<char>((bits >> 8) & 0xFF));
      if (v[3] >= 0) out->push_back(static_cast<char>(bits & 0xFF));
    }
  }
  return true;
}

}  // namespace tributary
