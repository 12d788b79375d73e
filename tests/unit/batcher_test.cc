#include "pipeline/batcher.h"

#include <gtest/gtest.h>

#include "buffer/disk/record.h"
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

// The body of the batch the batcher hands over.
std::string TakeBody(Batcher& b, std::string next = {}) {
  EncodedBatch out;
  b.Take(out, std::move(next));
  EXPECT_TRUE(out.pieces.empty());
  return std::move(out.body);
}

TEST_F(BatcherTest, CutsAtMaxEvents) {
  Batcher b({3, 1 << 20, std::chrono::seconds(5)}, *encoder_, clock_);
  auto batch = ParseBatch(MakeBatchBody(4));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(b.Full());
    ASSERT_TRUE(b.Add(*batch, batch->events()[i]));
  }
  EXPECT_TRUE(b.Full());
  EXPECT_TRUE(b.Due(clock_.Now()));
  std::string body = TakeBody(b);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(body.front(), '[');
  EXPECT_EQ(body.back(), ']');
}

TEST_F(BatcherTest, RecordsAreEncodedAloneManyToABatchWithTheirEnds) {
  auto binary = MakeEncoder(Encoding::kCloudEventsBinary);
  Batcher b({1000, 1 << 20, std::chrono::seconds(5)}, *binary, clock_, BatchForm::kRecords);
  EXPECT_EQ(b.limits().max_events, 1000u);
  auto batch = ParseBatch(MakeBatchBody(3, R"({"v":"x"})"));
  for (const Event& e : batch->events()) ASSERT_TRUE(b.Add(*batch, e));
  EncodedBatch out;
  b.Take(out);
  EXPECT_EQ(out.body, R"({"v":"x"}{"v":"x"}{"v":"x"})");  // each event's data, alone
  EXPECT_EQ(out.record_ends, (std::vector<uint32_t>{9, 18, 27}));
  ASSERT_TRUE(b.Add(*batch, batch->events()[0]));
  b.Take(out);
  EXPECT_EQ(out.body, R"({"v":"x"})");
  EXPECT_EQ(out.record_ends, std::vector<uint32_t>{9}) << "the ends of the batch before are gone";
}

// A body given back is where the next batch is built: no fresh memory per batch.
TEST_F(BatcherTest, BuildsTheNextBatchInABodyGivenBack) {
  Batcher b({2, 1 << 20, std::chrono::seconds(5)}, *encoder_, clock_);
  auto batch = ParseBatch(MakeBatchBody(2));
  std::string spare = "left over";
  spare.reserve(64 << 10);
  const char* buffer = spare.data();
  ASSERT_TRUE(b.Add(*batch, batch->events()[0]));
  std::string first = TakeBody(b, std::move(spare));
  EXPECT_NE(first.data(), buffer);
  ASSERT_TRUE(b.Add(*batch, batch->events()[1]));
  std::string second = TakeBody(b);
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
      bodies.push_back(TakeBody(b));
      ASSERT_TRUE(b.Add(*batch, e));
    }
  }
  bodies.push_back(TakeBody(b));
  ASSERT_EQ(bodies.size(), 4u);  // 3 + 3 + 3 + 1
  for (const auto& body : bodies) EXPECT_LE(body.size(), limit);

  Batcher tiny({1000, 10, std::chrono::seconds(5)}, *encoder_, clock_);
  EXPECT_TRUE(tiny.Add(*batch, batch->events()[0]));  // alone, although larger than the limit
  EXPECT_TRUE(tiny.Full());
  EXPECT_FALSE(tiny.Add(*batch, batch->events()[1]));
  EXPECT_GT(TakeBody(tiny).size(), 10u);
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
  TakeBody(b);
  EXPECT_EQ(b.Deadline(), SteadyTime::max());
}

// Events read back from the disk queue as the NDJSON file sink reads them: the record's
// events as they lie in its payload.
DecodedRecord ReadBack(int n) {
  auto batch = ParseBatch(MakeBatchBody(n));
  std::vector<SinkMask> masks(batch->events().size(), 1);
  std::string payload;
  std::vector<uint32_t> sizes;
  EncodeRecord(*batch, masks, payload, sizes);
  auto decoded = DecodeRecord(std::move(payload), /*attributes=*/false);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return std::move(*decoded);
}

bool Within(std::string_view piece, const std::string& bytes) {
  return piece.data() >= bytes.data() && piece.data() + piece.size() <= bytes.data() + bytes.size();
}

TEST_F(BatcherTest, LendsTheQueuesRecordsAsOnePieceEachInsteadOfCopying) {
  auto ndjson = MakeEncoder(Encoding::kNdjson);
  DecodedRecord first = ReadBack(3), second = ReadBack(2);
  Batcher pieces({1000, 1 << 20, std::chrono::seconds(5)}, *ndjson, clock_, BatchForm::kPieces);
  Batcher copies({1000, 1 << 20, std::chrono::seconds(5)}, *ndjson, clock_);
  for (const DecodedRecord* r : {&first, &second}) {
    for (const Event& e : r->batch->events()) {
      ASSERT_TRUE(pieces.Add(*r->batch, e));
      ASSERT_TRUE(copies.Add(*r->batch, e));
    }
  }
  EXPECT_EQ(pieces.bytes(), copies.bytes());
  EncodedBatch out;
  pieces.Take(out);
  EXPECT_TRUE(out.body.empty());
  ASSERT_EQ(out.pieces.size(), 2u) << "one per record";
  EXPECT_TRUE(Within(out.pieces[0], first.batch->input()));
  EXPECT_TRUE(Within(out.pieces[1], second.batch->input()));
  std::string joined = std::string(out.pieces[0]) + std::string(out.pieces[1]);
  EXPECT_EQ(joined, TakeBody(copies)) << "the same bytes a copy would have";
  EXPECT_EQ(out.encoded_bytes, joined.size());
  EXPECT_EQ(out.size(), joined.size());
  EXPECT_TRUE(pieces.empty());
  EXPECT_EQ(pieces.bytes(), 0u);
}

TEST_F(BatcherTest, PiecesKeepToMaxBytes) {
  auto ndjson = MakeEncoder(Encoding::kNdjson);
  DecodedRecord r = ReadBack(5);
  const size_t line = r.batch->events()[0].json.size() + 1;
  Batcher b({1000, 2 * line, std::chrono::seconds(5)}, *ndjson, clock_, BatchForm::kPieces);
  std::vector<size_t> sizes;
  for (const Event& e : r.batch->events()) {
    if (!b.Add(*r.batch, e)) {
      EncodedBatch out;
      b.Take(out);
      ASSERT_EQ(out.pieces.size(), 1u);
      sizes.push_back(out.size());
      ASSERT_TRUE(b.Add(*r.batch, e));
    }
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2 * line, 2 * line}));
  EXPECT_EQ(b.count(), 1u);
}

// A batch the encoder cannot lend all of (here an event that did not come through the disk
// queue) is copied into a body after all, in order; so is every batch of an encoding that
// lends nothing.
TEST_F(BatcherTest, CopiesWhatIsNotLent) {
  auto ndjson = MakeEncoder(Encoding::kNdjson);
  DecodedRecord r = ReadBack(2);
  auto fresh = ParseBatch(MakeBatchBody(1, "7"));
  Batcher pieces({1000, 1 << 20, std::chrono::seconds(5)}, *ndjson, clock_, BatchForm::kPieces);
  Batcher copies({1000, 1 << 20, std::chrono::seconds(5)}, *ndjson, clock_);
  for (Batcher* b : {&pieces, &copies}) {
    for (const Event& e : r.batch->events()) ASSERT_TRUE(b->Add(*r.batch, e));
    ASSERT_TRUE(b->Add(*fresh, fresh->events()[0]));
  }
  EXPECT_EQ(pieces.bytes(), copies.bytes());
  std::string expected = TakeBody(copies);
  EXPECT_NE(expected.find("\"data\":7"), std::string::npos);
  EXPECT_EQ(TakeBody(pieces), expected);

  Batcher batch_form({1000, 1 << 20, std::chrono::seconds(5)}, *encoder_, clock_,
                     BatchForm::kPieces);
  for (const Event& e : r.batch->events()) ASSERT_TRUE(batch_form.Add(*r.batch, e));
  std::string body = TakeBody(batch_form);
  EXPECT_EQ(body.front(), '[');
  EXPECT_EQ(body.back(), ']');
}

}  // namespace
}  // namespace tributary
