#include "pipeline/batcher.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "test_util.h"

namespace tributary {
namespace {

using testing_util::MakeBatchBody;
using testing_util::ParseBatch;

class BatcherTest : public testing::Test {
 protected:
  ManualClock clock_;
  std::unique_ptr<Encoder> encoder_ = MakeEncoder(Encoding::kCloudEventsBatch);
};

TEST_F(BatcherTest, CutsAtMaxEvents) {
  Batcher b({3, 1 << 20, std::chrono::seconds(5)}, *encoder_, clock_);
  auto batch = ParseBatch(MakeBatchBody(4));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(b.Full());
    ASSERT_TRUE(b.Add(*batch, batch->events()[i]));
  }
  EXPECT_TRUE(b.Full());
  EXPECT_TRUE(b.Due(clock_.Now()));
  std::string body = b.Take();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(body.front(), '[');
  EXPECT_EQ(body.back(), ']');
}

TEST_F(BatcherTest, RecordsAreEncodedAloneManyToABatchWithTheirEnds) {
  auto binary = MakeEncoder(Encoding::kCloudEventsBinary);
  Batcher b({1000, 1 << 20, std::chrono::seconds(5)}, *binary, clock_, /*records=*/true);
  EXPECT_EQ(b.limits().max_events, 1000u);
  auto batch = ParseBatch(MakeBatchBody(3, R"({"v":"x"})"));
  for (const Event& e : batch->events()) ASSERT_TRUE(b.Add(*batch, e));
  std::vector<uint32_t> ends;
  std::string body = b.Take(&ends);
  EXPECT_EQ(body, R"({"v":"x"}{"v":"x"}{"v":"x"})");  // each event's data, alone
  EXPECT_EQ(ends, (std::vector<uint32_t>{9, 18, 27}));
  ASSERT_TRUE(b.Add(*batch, batch->events()[0]));
  EXPECT_EQ(b.Take(&ends), R"({"v":"x"})");
  EXPECT_EQ(ends, std::vector<uint32_t>{9}) << "the ends of the batch before are gone";
}

// A body given back is where the next batch is built: no fresh memory per batch.
TEST_F(BatcherTest, BuildsTheNextBatchInABodyGivenBack) {
  Batcher b({2, 1 << 20, std::chrono::seconds(5)}, *encoder_, clock_);
  auto batch = ParseBatch(MakeBatchBody(2));
  std::string spare = "left over";
  spare.reserve(64 << 10);
  const char* buffer = spare.data();
  ASSERT_TRUE(b.Add(*batch, batch->events()[0]));
  std::string first = b.Take(nullptr, std::move(spare));
  EXPECT_NE(first.data(), buffer);
  ASSERT_TRUE(b.Add(*batch, batch->events()[1]));
  std::string second = b.Take();
  EXPECT_EQ(second.data(), buffer);
  EXPECT_EQ(second.front(), '[') << "what the spare held is gone";
  EXPECT_EQ(second.size(), first.size());
}

TEST_F(BatcherTest, ASingleEventEncodingMakesEachEventABatch) {
  auto structured = MakeEncoder(Encoding::kCloudEvents);
  Batcher b({1000, 1 << 20, std::chrono::seconds(5)}, *structured, clock_);
  EXPECT_EQ(b.limits().max_events, 1u);
  auto batch = ParseBatch(MakeBatchBody(2));
  ASSERT_TRUE(b.Add(*batch, batch->events()[0]));
  EXPECT_TRUE(b.Full());
}

TEST_F(BatcherTest, NeverExceedsMaxBytesUnlessOneEventIsLarger) {
  auto batch = ParseBatch(MakeBatchBody(10, "\"" + std::string(100, 'x') + "\""));
  std::string one;
  encoder_->Append(*batch, batch->events()[0], true, one);
  const size_t limit = 1 + 3 * one.size() + 2 + 1;  // room for three events, not four
  Batcher b({1000, limit, std::chrono::seconds(5)}, *encoder_, clock_);
  std::vector<std::string> bodies;
  for (const Event& e : batch->events()) {
    if (!b.Add(*batch, e)) {
      bodies.push_back(b.Take());
      ASSERT_TRUE(b.Add(*batch, e));
    }
  }
  bodies.push_back(b.Take());
  ASSERT_EQ(bodies.size(), 4u);  // 3 + 3 + 3 + 1
  for (const auto& body : bodies) EXPECT_LE(body.size(), limit);

  Batcher tiny({1000, 10, std::chrono::seconds(5)}, *encoder_, clock_);
  EXPECT_TRUE(tiny.Add(*batch, batch->events()[0]));  // alone, although larger than the limit
  EXPECT_TRUE(tiny.Full());
  EXPECT_FALSE(tiny.Add(*batch, batch->events()[1]));
  EXPECT_GT(tiny.Take().size(), 10u);
}

TEST_F(BatcherTest, FiresOnAgeFromTheFirstEventWithoutNewEvents) {
  Batcher b({1000, 1 << 20, std::chrono::seconds(5)}, *encoder_, clock_);
  EXPECT_EQ(b.Deadline(), SteadyTime::max());
  EXPECT_FALSE(b.Due(clock_.Now()));  // never an empty batch
  auto batch = ParseBatch(MakeBatchBody(2));
  auto start = clock_.Now();
  ASSERT_TRUE(b.Add(*batch, batch->events()[0]));
  clock_.Advance(std::chrono::seconds(3));
  ASSERT_TRUE(b.Add(*batch, batch->events()[1]));
  EXPECT_EQ(b.Deadline(), start + std::chrono::seconds(5));  // from the first event
  clock_.Advance(std::chrono::milliseconds(1999));
  EXPECT_FALSE(b.Due(clock_.Now()));
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(b.Due(clock_.Now()));
  b.Take();
  EXPECT_EQ(b.Deadline(), SteadyTime::max());
}

}  // namespace
}  // namespace tributary
