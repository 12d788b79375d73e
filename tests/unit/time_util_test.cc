#include "core/time_util.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace tributary {
namespace {

// The arithmetic calendar agrees with the C library's, second by second, across eras,
// leap years (2000 is one, 2100 and 2200 are not) and before 1970.
TEST(TimeUtil, UtcPartsAgreeWithGmtime) {
  std::mt19937_64 rng(42);
  // 1900 to 2255: nanoseconds since 1970 in an int64 reach 2262.
  std::uniform_int_distribution<int64_t> secs(-2'208'988'800, 9'000'000'000);
  std::vector<int64_t> samples = {
      0, -1, 951'782'400, 951'868'799, 4'107'542'400, 7'263'216'000, 1'795'392'000};
  for (int i = 0; i < 100'000; ++i) samples.push_back(secs(rng));
  for (int64_t s : samples) {
    time_t t = static_cast<time_t>(s);
    struct tm tm;
    ASSERT_NE(gmtime_r(&t, &tm), nullptr);
    UtcParts p = ToUtcParts(s * 1'000'000'000 + 123);
    ASSERT_EQ(p.year, tm.tm_year + 1900) << s;
    ASSERT_EQ(p.month, tm.tm_mon + 1) << s;
    ASSERT_EQ(p.day, tm.tm_mday) << s;
    ASSERT_EQ(p.hour, tm.tm_hour) << s;
    ASSERT_EQ(p.minute, tm.tm_min) << s;
    ASSERT_EQ(p.second, tm.tm_sec) << s;
  }
}

TEST(TimeUtil, FormatsRfc3339WithNanoseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatRfc3339(1'795'392'000'000'000'007), "2026-11-23T00:00:00.000000007Z");
  EXPECT_EQ(FormatRfc3339(951'868'799'999'999'999), "2000-02-29T23:59:59.999999999Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999999999Z");
}

}  // namespace
}  // namespace tributary
