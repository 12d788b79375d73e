#include "buffer/disk/crc32c.h"

#include <array>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace tributary::crc32c {
namespace {

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kTable = MakeTable();

// The CRC register (not inverted) after `data`, one byte at a time.
uint32_t ExtendBytes(uint32_t c, const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) c = kTable[(c ^ static_cast<uint8_t>(data[i])) & 0xff] ^ (c >> 8);
  return c;
}

#if defined(__SSE4_2__)

// Three streams at once: the crc32 instruction takes 3 cycles but can start every cycle, so
// one stream uses a third of it. Each round checksums three adjacent blocks of kBlock
// bytes independently and joins them: the register after blocks A B C, started from r, is
// Shift2(crc(r, A)) ^ Shift1(crc(0, B)) ^ crc(0, C), where ShiftN is the (linear) effect of
// N blocks of zeros on a register.
constexpr size_t kBlock = 2048;

uint32_t ExtendWords(uint64_t c, const char* data, size_t n) {
  for (; n >= 8; n -= 8, data += 8) {
    uint64_t v;
    std::memcpy(&v, data, 8);
    c = _mm_crc32_u64(c, v);
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  for (; n > 0; --n) c32 = _mm_crc32_u8(c32, static_cast<uint8_t>(*data++));
  return c32;
}

// A linear map of the register, as four tables of 256: one per byte of the input.
struct Shift {
  std::array<std::array<uint32_t, 256>, 4> t;
  uint32_t operator()(uint32_t c) const {
    return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
  }
};

Shift MakeShift(size_t zeros) {
  // The map of each single bit, then every byte value as the sum of its bits' maps.
  static const char kZeros[kBlock] = {};
  std::array<uint32_t, 32> bit{};
  for (int b = 0; b < 32; ++b) {
    uint32_t c = uint32_t{1} << b;
    for (size_t left = zeros; left > 0;) {
      size_t n = left < kBlock ? left : kBlock;
      c = ExtendBytes(c, kZeros, n);
      left -= n;
    }
    bit[b] = c;
  }
  Shift s{};
  for (int k = 0; k < 4; ++k) {
    for (uint32_t v = 0; v < 256; ++v) {
      uint32_t m = 0;
      for (int b = 0; b < 8; ++b) {
        if (v & (1u << b)) m ^= bit[8 * k + b];
      }
      s.t[k][v] = m;
    }
  }
  return s;
}

uint32_t ExtendThreeWay(uint32_t c, const char*& data, size_t& n) {
  static const Shift kShift1 = MakeShift(kBlock), kShift2 = MakeShift(2 * kBlock);
  while (n >= 3 * kBlock) {
    uint64_t a = c, b = 0, d = 0;
    for (size_t i = 0; i < kBlock; i += 8) {
      uint64_t va, vb, vd;
      std::memcpy(&va, data + i, 8);
      std::memcpy(&vb, data + kBlock + i, 8);
      std::memcpy(&vd, data + 2 * kBlock + i, 8);
      a = _mm_crc32_u64(a, va);
      b = _mm_crc32_u64(b, vb);
      d = _mm_crc32_u64(d, vd);
    }
    c = kShift2(static_cast<uint32_t>(a)) ^ kShift1(static_cast<uint32_t>(b)) ^
        static_cast<uint32_t>(d);
    data += 3 * kBlock;
    n -= 3 * kBlock;
  }
  return c;
}

#endif

}  // namespace

uint32_t Extend(uint32_t crc, const char* data, size_t n) {
  uint32_t c = ~crc;
#if defined(__SSE4_2__)
  c = ExtendThreeWay(c, data, n);
  c = ExtendWords(c, data, n);
#else
  c = ExtendBytes(c, data, n);
#endif
  return ~c;
}

namespace internal {
uint32_t ExtendOneByteAtATime(uint32_t crc, const char* data, size_t n) {
  return ~ExtendBytes(~crc, data, n);
}
}  // namespace internal

}  // namespace tributary::crc32c
