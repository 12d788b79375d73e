#pragma once
// RFC 3339 timestamps: validation of producers' `time` values and formatting of ours; HTTP dates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tributary {

// True if `s` is an RFC 3339 date-time (e.g. 2026-11-23T08:00:00.123456789Z or
// 2026-11-23t08:00:00+01:00), with calendar-valid fields.
bool IsRfc3339(std::string_view s);

// Writes `ns` since the Unix epoch as RFC 3339 UTC with nanoseconds; returns 30.
constexpr size_t kRfc3339NanoLen = 30;
size_t FormatRfc3339Nanos(int64_t ns, char* out);
std::string FormatRfc3339(int64_t ns);  // the same, as a string

// Seconds since the Unix epoch of an HTTP date (RFC 9110 §5.6.7) in any of its three forms:
// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994".
std::optional<int64_t> ParseHttpDate(std::string_view s);

// Calendar fields of a UTC time, for path templates.
struct UtcParts {
  int year, month, day, hour, minute, second;
};
UtcParts ToUtcParts(int64_t ns);

}  // namespace tributary
