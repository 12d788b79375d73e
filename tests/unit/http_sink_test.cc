#include "sinks/http/http_sink.h"

#include <gtest/gtest.h>

#include "core/time_util.h"
#include "pipeline/backoff.h"

namespace tributary {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsBoundsByTheMultiplierUpToTheMaximumWithFullJitter) {
  std::vector<uint64_t> asked;
  // A "random" source that returns the bound itself and records what it was asked for.
  Backoff b({milliseconds(500), 2, milliseconds(3000)}, [&](uint64_t n) {
    asked.push_back(n);
    return n;
  });
  std::vector<int64_t> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(b.Next().count());
  EXPECT_EQ(delays, (std::vector<int64_t>{500, 1000, 2000, 3000, 3000, 3000}));
  Backoff zero({milliseconds(500), 2, milliseconds(3000)}, [](uint64_t) { return uint64_t{0}; });
  EXPECT_EQ(zero.Next().count(), 0);  // full jitter reaches down to 0
}

TEST(Backoff, TakesAServerDelayCappedAtTheMaximum) {
  Backoff b({milliseconds(500), 2, milliseconds(3000)}, [](uint64_t n) { return n / 2; });
  EXPECT_EQ(b.Next(milliseconds(2000)).count(), 2000);
  EXPECT_EQ(b.Next(milliseconds(60'000)).count(), 3000);
  EXPECT_EQ(b.Next().count(), 1000);  // the bound kept growing meanwhile: 500 → 1000 → 2000
}

TEST(HttpHeaders, SplitsOnlyWhereANewHeaderStarts) {
  auto h = ParseHeaderList({"X-Scope-OrgID: abc"});
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0], (std::pair<std::string, std::string>{"X-Scope-OrgID", "abc"}));
  h = ParseHeaderList({"A: 1, B: x, y, C:z"});
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[1].second, "x, y");
  EXPECT_EQ((*h)[2].second, "z");
  h = ParseHeaderList({"A: 1", "B: 2"});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 2u);
}

TEST(HttpHeaders, RefusesMalformedAndReservedHeaders) {
  EXPECT_FALSE(ParseHeaderList({"no colon"}).ok());
  EXPECT_FALSE(ParseHeaderList({"Bad Name: x"}).ok());
  for (const char* reserved :
       {"Authorization: Bearer x", "content-type: text/plain", "Content-Encoding: br"}) {
    auto r = ParseHeaderList({reserved});
    ASSERT_FALSE(r.ok()) << reserved;
    EXPECT_NE(r.status().message().find("cannot be overridden"), std::string::npos);
  }
}

TEST(RetryAfter, ReadsSecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfter("2", 0), milliseconds(2000));
  EXPECT_EQ(ParseRetryAfter("", 0), milliseconds(0));
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 5), milliseconds(5000));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 5),
            milliseconds(0));  // past
  EXPECT_EQ(ParseRetryAfter("soon", 0), milliseconds(0));
}

TEST(RetryAfter, ReadsTheObsoleteDateFormsToo) {
  // RFC 9110 §5.6.7: recipients accept RFC 850 and asctime dates as well.
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994"), std::nullopt);
}

TEST(CurlLibrary, OpensOnceAndResolvesEveryFunction) {
  auto first = LoadCurl();
  ASSERT_TRUE(first.ok()) << first.status().message();
  const CurlLibrary& lib = **first;
  EXPECT_NE(lib.easy_init, nullptr);
  EXPECT_NE(lib.slist_free_all, nullptr);
  EXPECT_STREQ(lib.easy_strerror(CURLE_COULDNT_CONNECT), "Couldn't connect to server");
  EXPECT_EQ(*LoadCurl(), *first);  // the same table, not a second dlopen
}

}  // namespace
}  // namespace tributary
