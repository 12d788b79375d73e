#include "buffer/memory_buffer.h"

#include <gtest/gtest.h>

#include <thread>

#include "test_util.h"

namespace tributary {
namespace {

using testing_util::MakeBatchBody;
using testing_util::ParseBatch;

AppendOutcome AppendSync(Buffer& b, const EventBatchPtr& batch, std::vector<SinkMask> masks) {
  AppendOutcome out;
  b.Append(batch, masks, [&](AppendOutcome o) { out = std::move(o); });
  return out;
}

SteadyTime Soon() { return std::chrono::steady_clock::now() + std::chrono::milliseconds(50); }

TEST(MemoryBuffer, FansOutByReferenceAndReadsInOrder) {
  MemoryBuffer buf({"a", "b"}, {QueueLimits{}, QueueLimits{}});
  auto batch = ParseBatch(MakeBatchBody(3));
  ASSERT_TRUE(AppendSync(buf, batch, {0b11, 0b01, 0b10}).status.ok());
  std::vector<QueuedEvent> a, b;
  EXPECT_EQ(buf.Reader(0).Read(a, 10, Soon()), 2u);
  EXPECT_EQ(buf.Reader(1).Read(b, 10, Soon()), 2u);
  EXPECT_EQ(a[0].event->id, "0");
  EXPECT_EQ(a[1].event->id, "1");
  EXPECT_EQ(b[1].event->id, "2");
  EXPECT_EQ(a[0].event, b[0].event);  // the same event, not a copy
  EXPECT_EQ(buf.Reader(0).Stats().events, 2u);
  EXPECT_EQ(buf.FreedCount(), 0u) << "only acknowledgements release room";
  buf.Reader(0).Ack(2);
  EXPECT_GT(buf.FreedCount(), 0u);
  EXPECT_EQ(buf.Reader(0).Stats().events, 0u);
  EXPECT_EQ(buf.Reader(0).Stats().bytes, 0u);
}

TEST(MemoryBuffer, ReadsPartOfAChunkAndAcksAcrossChunks) {
  MemoryBuffer buf({"a"}, {QueueLimits{}});
  auto b1 = ParseBatch(MakeBatchBody(3));
  auto b2 = ParseBatch(MakeBatchBody(2));
  ASSERT_TRUE(AppendSync(buf, b1, {1, 1, 1}).status.ok());
  ASSERT_TRUE(AppendSync(buf, b2, {1, 1}).status.ok());
  QueueReader& r = buf.Reader(0);
  std::vector<QueuedEvent> got;
  EXPECT_EQ(r.Read(got, 2, Soon()), 2u);
  r.Ack(2);
  EXPECT_EQ(r.Read(got, 10, Soon()), 3u);
  EXPECT_EQ(got[2].event->id, "2");
  EXPECT_EQ(got[3].batch, b2.get());
  r.Ack(3);
  EXPECT_EQ(r.Stats().events, 0u);
  got.clear();
  EXPECT_EQ(r.Read(got, 10, Soon()), 0u);  // times out empty
}

TEST(MemoryBuffer, AppendIsAllOrNothingWhenOneQueueIsFull) {
  QueueLimits small;
  small.max_events = 2;
  MemoryBuffer buf({"big", "small"}, {QueueLimits{}, small});
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(2)), {0b11, 0b11}).status.ok());
  AppendOutcome o = AppendSync(buf, ParseBatch(MakeBatchBody(1)), {0b11});
  EXPECT_FALSE(o.status.ok());
  EXPECT_TRUE(o.full);
  EXPECT_FALSE(o.may_block);
  EXPECT_EQ(o.full_sink, "small");
  EXPECT_NE(o.status.message().find("sinks.small.queue.max_events"), std::string::npos);
  EXPECT_EQ(buf.Reader(0).Stats().events, 2u);  // "big" did not take it either
  // A request may still go to "big" alone: not refused before it is parsed.
  EXPECT_TRUE(buf.RefusesAll(100).status.ok());

  // Acknowledged events make room again.
  std::vector<QueuedEvent> got;
  buf.Reader(1).Read(got, 10, Soon());
  buf.Reader(1).Ack(2);
  EXPECT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(1)), {0b11}).status.ok());
}

TEST(MemoryBuffer, RefusesAllOnlyWhenEveryQueueIsFullAndRejects) {
  QueueLimits small;
  small.max_events = 2;
  MemoryBuffer buf({"a", "b"}, {small, small});
  EXPECT_TRUE(buf.RefusesAll(100).status.ok());  // empty queues take anything
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(2)), {0b11, 0b11}).status.ok());
  AppendOutcome o = buf.RefusesAll(100);
  EXPECT_FALSE(o.status.ok());
  EXPECT_TRUE(o.full);
  EXPECT_FALSE(o.may_block);
  EXPECT_GE(o.retry_after_seconds, 1);
  EXPECT_NE(o.status.message().find("is full"), std::string::npos);
  std::vector<QueuedEvent> got;
  buf.Reader(1).Read(got, 10, Soon());
  buf.Reader(1).Ack(2);
  EXPECT_TRUE(buf.RefusesAll(100).status.ok());  // "b" has room again
}

TEST(MemoryBuffer, ReportsBlockPolicyAndRefusesAfterClose) {
  QueueLimits l;
  l.max_events = 1;
  l.when_full = FullPolicy::kBlock;
  MemoryBuffer buf({"a"}, {l});
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(1)), {1}).status.ok());
  AppendOutcome o = AppendSync(buf, ParseBatch(MakeBatchBody(1)), {1});
  EXPECT_TRUE(o.may_block);
  EXPECT_TRUE(buf.RefusesAll(100).status.ok());  // `block` waits for room: no early refusal
  buf.Close();
  EXPECT_FALSE(AppendSync(buf, ParseBatch(MakeBatchBody(1)), {1}).status.ok());
  std::vector<QueuedEvent> got;
  EXPECT_FALSE(buf.Reader(0).Drained());
  EXPECT_EQ(buf.Reader(0).Read(got, 10, SteadyTime::max()), 1u);  // closed: does not wait
  EXPECT_TRUE(buf.Reader(0).Drained());
}

// A batching reader says how much fills its batch and is woken once that is queued, not
// at every append; at its deadline it takes what there is.
TEST(MemoryBuffer, AReaderWaitsForWhatItAskedForOrItsDeadline) {
  MemoryBuffer buf({"a"}, {QueueLimits{}});
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(1)), {1}).status.ok());
  std::vector<QueuedEvent> got;
  std::thread reader([&] {
    buf.Reader(0).Read(got, 10, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                       ReadWait{3, 0});
  });
  // One event was there when it began to wait: it must not come back with fewer than 3.
  // (The pause lets it start waiting first; if it has not, it finds all three anyway.)
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(1)), {1}).status.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(1)), {1}).status.ok());
  reader.join();
  EXPECT_EQ(got.size(), 3u);

  // By bytes: two events hold at least 2 bytes.
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(2)), {1, 1}).status.ok());
  got.clear();
  EXPECT_EQ(buf.Reader(0).Read(got, 10, SteadyTime::max(), ReadWait{100, 2}), 2u);

  // What there is at the deadline.
  ASSERT_TRUE(AppendSync(buf, ParseBatch(MakeBatchBody(1)), {1}).status.ok());
  got.clear();
  EXPECT_EQ(buf.Reader(0).Read(got, 10, Soon(), ReadWait{5, 0}), 1u);
}

}  // namespace
}  // namespace tributary
