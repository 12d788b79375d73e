#include "core/time_util.h"

#include <cstdio>
#include <ctime>

namespace tributary {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

bool IsRfc3339(std::string_view s) {
  // full-date "T" partial-time time-offset; see RFC 3339 §5.6.
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 20) return false;
  if (!Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d))
    return false;
  if (s[10] != 'T' && s[10] != 't') return false;
  if (!Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return false;
  if (h > 23 || mi > 59 || se > 60) return false;  // 60: leap second
  size_t i = 19;
  if (s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i >= s.size()) return false;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) return true;
  if (s[i] != '+' && s[i] != '-') return false;
  int oh = 0, om = 0;
  if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
      !Digits(s, i + 4, 2, &om) || i + 6 != s.size())
    return false;
  return oh <= 23 && om <= 59;
}

std::optional<int64_t> ParseHttpDate(std::string_view s) {
  char text[64];
  if (s.size() >= sizeof text) return std::nullopt;
  s.copy(text, s.size());
  text[s.size()] = '\0';
  // strptime reads names in the C locale, which the collector never changes.
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    struct tm tm = {};
    const char* end = strptime(text, format, &tm);
    if (end && *end == '\0') return static_cast<int64_t>(timegm(&tm));
  }
  return std::nullopt;
}

UtcParts ToUtcParts(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

size_t FormatRfc3339Nanos(int64_t ns, char* out) {
  UtcParts p = ToUtcParts(ns);
  long frac = static_cast<long>(ns % 1'000'000'000);
  char buf[64];  // room for any int fields; a valid time uses 30 bytes
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", p.year, p.month, p.day,
                p.hour, p.minute, p.second, frac);
  for (size_t i = 0; i < kRfc3339NanoLen; ++i) out[i] = buf[i];
  return kRfc3339NanoLen;
}

std::string FormatRfc3339(int64_t ns) {
  char buf[kRfc3339NanoLen];
  return std::string(buf, FormatRfc3339Nanos(ns, buf));
}

}  // namespace tributary
