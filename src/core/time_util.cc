#include "core/time_util.h"

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
  // Arithmetic, not gmtime_r: glibc's takes the time zone lock on every call, and every
  // request without a `time` asks for one. Days to civil date as in Howard Hinnant's
  // "chrono-compatible low-level date algorithms" (proleptic Gregorian).
  int64_t secs = ns / 1'000'000'000 - (ns % 1'000'000'000 < 0 ? 1 : 0);
  int64_t days = secs / 86'400 - (secs % 86'400 < 0 ? 1 : 0);
  int64_t in_day = secs - days * 86'400;
  int64_t z = days + 719'468;
  int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  int64_t doe = z - era * 146'097;                                        // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;  // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                       // [0, 11]
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year,
          month,
          day,
          static_cast<int>(in_day / 3600),
          static_cast<int>(in_day / 60 % 60),
          static_cast<int>(in_day % 60)};
}

namespace {
// Writes `v` as exactly `width` decimal digits (v >= 0).
char* Digits(char* out, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return out + width;
}
}  // namespace

size_t FormatRfc3339Nanos(int64_t ns, char* out) {
  UtcParts p = ToUtcParts(ns);
  int64_t frac = ns % 1'000'000'000;
  if (frac < 0) frac += 1'000'000'000;
  char* o = Digits(out, p.year, 4);
  *o++ = '-';
  o = Digits(o, p.month, 2);
  *o++ = '-';
  o = Digits(o, p.day, 2);
  *o++ = 'T';
  o = Digits(o, p.hour, 2);
  *o++ = ':';
  o = Digits(o, p.minute, 2);
  *o++ = ':';
  o = Digits(o, p.second, 2);
  *o++ = '.';
  o = Digits(o, frac, 9);
  *o = 'Z';
  return kRfc3339NanoLen;
}

std::string FormatRfc3339(int64_t ns) {
  char buf[kRfc3339NanoLen];
  return std::string(buf, FormatRfc3339Nanos(ns, buf));
}

}  // namespace tributary
