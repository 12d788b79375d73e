#pragma once
// CRC32C (Castagnoli), as LevelDB's log uses: hardware instructions where the CPU has
// SSE4.2, a table otherwise. Mask/Unmask keep a CRC stored inside data that is itself
// checksummed from looking like a valid CRC of that data.

#include <cstddef>
#include <cstdint>

namespace tributary::crc32c {

uint32_t Extend(uint32_t crc, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

namespace internal {
// The plain table version, which tests hold the fast one to.
uint32_t ExtendOneByteAtATime(uint32_t crc, const char* data, size_t n);
}  // namespace internal

constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace tributary::crc32c
