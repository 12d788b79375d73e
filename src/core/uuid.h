#pragma once
// UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits; sortable by time.

#include <cstddef>
#include <cstdint>
#include <string>

namespace tributary {

constexpr size_t kUuidTextLen = 36;

// Writes a new UUIDv7 in canonical text form (36 chars, no NUL) for time `unix_ms`.
// Thread-safe: each thread has its own random state.
void NewUuidV7(int64_t unix_ms, char* out);
std::string NewUuidV7String();

}  // namespace tributary
