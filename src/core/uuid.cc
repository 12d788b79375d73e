#include "core/uuid.h"

#include <array>
#include <chrono>
#include <cstring>
#include <random>

namespace tributary {
namespace {

// splitmix64: small, fast, good enough for the random bits of ids (not for secrets).
struct Rng {
  uint64_t state;
  Rng() {
    std::random_device rd;
    state = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
            static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};

}  // namespace

void NewUuidV7(int64_t unix_ms, char* out) {
  thread_local Rng rng;
  uint8_t b[16];
  uint64_t ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  uint64_t r1 = rng.Next(), r2 = rng.Next();
  for (int i = 6; i < 16; ++i) b[i] = static_cast<uint8_t>((i < 8 ? r1 : r2) >> (8 * (i % 8)));
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0F));  // version 7
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3F));  // RFC 4122 variant
  // Two hex digits per byte from one table look-up: a generated id is part of mapping every
  // plain JSON event, where a digit at a time showed in the profile.
  static constexpr auto kHexPairs = [] {
    constexpr char kHex[] = "0123456789abcdef";
    std::array<std::array<char, 2>, 256> t{};
    for (size_t i = 0; i < t.size(); ++i) t[i] = {kHex[i >> 4], kHex[i & 0xF]};
    return t;
  }();
  for (int i = 0; i < 16; ++i) {
    std::memcpy(out, kHexPairs[b[i]].data(), 2);
    out += 2;
    if (i == 3 || i == 5 || i == 7 || i == 9) *out++ = '-';
  }
}

std::string NewUuidV7String() {
  std::string s(kUuidTextLen, '\0');
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  NewUuidV7(ms, s.data());
  return s;
}

}  // namespace tributary
