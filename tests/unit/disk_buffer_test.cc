#include "buffer/disk/disk_buffer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "buffer/disk/record.h"
#include "buffer/disk/segment.h"
#include "format/encoder.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace tributary {
namespace {

using testing_util::ParseBatch;

class DiskBufferTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("tributary-disk-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<DiskBuffer> Open(std::vector<std::string> sinks, QueueLimits limits = {},
                                   FsyncPolicy fsync = FsyncPolicy::kInterval,
                                   const fs::path& dir = {}, uint64_t segment_bytes = 64u << 20) {
    DiskQueueOptions o;
    o.dir = (dir.empty() ? dir_ : dir).string();
    o.fsync = fsync;
    o.segment_bytes = segment_bytes;
    std::vector<QueueLimits> l(sinks.size(), limits);
    auto b = DiskBuffer::Open(o, sinks, l, metrics_);
    EXPECT_TRUE(b.ok()) << b.status().message();
    return b.ok() ? std::move(*b) : nullptr;
  }

  // Appends events with the given ids and masks; waits for the callback.
  AppendOutcome Append(DiskBuffer& b, const std::vector<int>& ids,
                       const std::vector<SinkMask>& masks) {
    std::string body = "[";
    for (size_t i = 0; i < ids.size(); ++i)
      body += (i ? "," : "") + testing_util::MakeEvent(ids[i]);
    auto batch = ParseBatch(body + "]");
    std::promise<AppendOutcome> p;
    b.Append(batch, masks, [&](AppendOutcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }

  // Reads up to `max` events of sink `s` (waiting briefly) and returns their ids.
  static std::vector<int> Read(DiskBuffer& b, size_t s, size_t max, bool ack = true) {
    std::vector<QueuedEvent> got;
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (got.size() < max && std::chrono::steady_clock::now() < until) {
      b.Reader(s).Read(got, max - got.size(),
                       std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
    }
    std::vector<int> ids;
    for (auto& q : got) ids.push_back(std::stoi(std::string(q.event->id)));
    if (ack) b.Reader(s).Ack(got.size());
    return ids;
  }

  // The segments that hold data: the queue also keeps the one after the segment being
  // written created ahead, empty. The queue's sync thread deletes delivered segments while
  // this runs: one gone between the listing and its size is not counted.
  std::vector<uint64_t> DataSegments() const {
    std::vector<uint64_t> out, all = *ListSegments(dir_.string());
    for (uint64_t seg : all) {
      std::error_code ec;
      uintmax_t size = fs::file_size(SegmentPath(dir_.string(), seg), ec);
      if (!ec && size > 0) out.push_back(seg);
    }
    return out;
  }

  static uint64_t SegmentBytes(const fs::path& dir) {
    uint64_t n = 0;
    for (auto& e : fs::directory_iterator(dir / "segments")) n += e.file_size();
    return n;
  }

  fs::path dir_;
  Metrics metrics_;
};

TEST(DiskRecord, ReadsBackEventsThatEncodeAsTheyWereWritten) {
  auto batch = ParseBatch(
      R"([{"specversion":"1.0","id":"a","source":"/s","type":"t","n":3,"data":{"x": [1, 2.50]}},
      {"specversion":"1.0","id":"b","source":"/s","type":"t","data_base64":"AP8="}])");
  std::vector<SinkMask> masks = {1, 2};
  std::string payload;
  std::vector<uint32_t> sizes;
  EncodeRecord(*batch, masks, payload, sizes);
  auto decoded = DecodeRecord(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  ASSERT_EQ(decoded->batch->size(), 2u);
  EXPECT_EQ(decoded->masks, masks);
  auto json_only = DecodeRecord(payload, /*attributes=*/false);
  ASSERT_TRUE(json_only.ok());
  EXPECT_TRUE(json_only->batch->events()[0].id.empty());  // nothing was parsed
  // A payload in a string of its own (a record the log cut into fragments, joined) is
  // kept, not copied, when nothing parses it; a record that is parsed is copied, padded.
  std::string own = payload, own_parsed = payload;
  const char* own_bytes = own.data();
  auto taken = DecodeRecord(std::move(own), /*attributes=*/false);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(own.empty());
  EXPECT_EQ(taken->batch->input().data(), own_bytes);
  auto parsed = DecodeRecord(std::move(own_parsed));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(own_parsed, payload);
  EXPECT_EQ(parsed->batch->events()[1].id, "b");
  for (Encoding enc : {Encoding::kNdjson, Encoding::kCloudEventsBatch, Encoding::kCloudEvents}) {
    // The decoded events carry their JSON, which the encoders copy; it must be exactly what
    // they would have written from the attributes.
    auto encoder = MakeEncoder(enc);
    EXPECT_FALSE(encoder->needs_attributes());
    std::string original = testing_util::EncodeEvents(*encoder, *batch);
    EXPECT_EQ(testing_util::EncodeEvents(*encoder, *decoded->batch), original);
    EXPECT_EQ(testing_util::EncodeEvents(*encoder, *json_only->batch), original);
    EXPECT_EQ(testing_util::EncodeEvents(*encoder, *taken->batch), original);
    EXPECT_EQ(testing_util::EncodeEvents(*encoder, *parsed->batch), original);
  }
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(json_only->batch->events()[i].size, decoded->batch->events()[i].size);
    EXPECT_EQ(taken->batch->events()[i].json, decoded->batch->events()[i].json);
  }
  EXPECT_TRUE(MakeEncoder(Encoding::kCloudEventsBinary)->needs_attributes());
  EXPECT_TRUE(
      MakeEncoder(Encoding::kNdjson, {{{"pipelineid", "p"}}, "", false})->needs_attributes());
  EXPECT_FALSE(decoded->batch->events()[0].json.empty());
  EXPECT_EQ(decoded->batch->events()[0].data, R"({"x": [1, 2.50]})");
  EXPECT_EQ(sizes[0], decoded->batch->events()[0].size);

  // Lengths that add up but do not fall on line ends (the entries' lengths follow the
  // 13-byte header and each entry's 8-byte mask).
  std::string damaged = payload;
  uint32_t len0 = 0, len1 = 0;
  std::memcpy(&len0, damaged.data() + 21, 4);
  std::memcpy(&len1, damaged.data() + 33, 4);
  EXPECT_EQ(len0, sizes[0] + 1);
  len0 -= 1;
  len1 += 1;
  std::memcpy(damaged.data() + 21, &len0, 4);
  std::memcpy(damaged.data() + 33, &len1, 4);
  EXPECT_FALSE(DecodeRecord(damaged).ok());
}

// Each segment's blocks are allocated when it is created, and the next segment is created
// ahead by the sync thread: the writer takes it over when it rolls, without waiting for an
// allocation. What is left of it at a clean stop is removed.
TEST_F(DiskBufferTest, AllocatesSegmentsAheadOfTheWriter) {
  constexpr uint64_t kSegment = 1u << 20;
  auto b = Open({"a"}, {}, FsyncPolicy::kInterval, {}, kSegment);
  ASSERT_TRUE(Append(*b, {1}, {1}).status.ok());
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ListSegments(dir_.string())->size() < 2 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto segments = *ListSegments(dir_.string());
  ASSERT_EQ(segments.size(), 2u) << "the next segment is created ahead";
  struct stat first, next;
  ASSERT_EQ(::stat(SegmentPath(dir_.string(), segments[0]).c_str(), &first), 0);
  ASSERT_EQ(::stat(SegmentPath(dir_.string(), segments[1]).c_str(), &next), 0);
  EXPECT_LT(first.st_size, 4096) << "its size is what was written";
  EXPECT_GE(static_cast<uint64_t>(first.st_blocks) * 512, kSegment) << "its blocks are there";
  EXPECT_EQ(next.st_size, 0);
  EXPECT_GE(static_cast<uint64_t>(next.st_blocks) * 512, kSegment);

  std::vector<int> ids(100);
  int appended = 1;
  while (DataSegments().size() < 2) {
    for (int& id : ids) id = ++appended;
    ASSERT_TRUE(Append(*b, ids, std::vector<SinkMask>(100, 1)).status.ok());
  }
  struct stat taken;
  ASSERT_EQ(::stat(SegmentPath(dir_.string(), segments[1]).c_str(), &taken), 0);
  EXPECT_EQ(taken.st_ino, next.st_ino) << "the writer went on in the file created ahead";
  EXPECT_GT(taken.st_size, 0);

  b.reset();
  EXPECT_EQ(*ListSegments(dir_.string()), DataSegments()) << "no empty segment is left";
  b = Open({"a"}, {}, FsyncPolicy::kInterval, {}, kSegment);  // and it reads back from sizes
  EXPECT_EQ(b->recovery().events, static_cast<uint64_t>(appended));
  EXPECT_EQ(b->recovery().corrupt_records, 0u);
  EXPECT_EQ(Read(*b, 0, 100000).size(), static_cast<size_t>(appended));
}

// A crash leaves the segment created ahead on disk, empty: it is a segment without records.
TEST_F(DiskBufferTest, RecoversPastAnEmptySegmentACrashLeft) {
  {
    auto b = Open({"a"});
    ASSERT_TRUE(Append(*b, {1, 2}, {1, 1}).status.ok());
  }
  auto last = ListSegments(dir_.string())->back();
  std::ofstream(SegmentPath(dir_.string(), last + 1));  // as the sync thread creates it
  auto b = Open({"a"});
  EXPECT_EQ(b->recovery().events, 2u);
  EXPECT_EQ(b->recovery().corrupt_records, 0u);
  ASSERT_TRUE(Append(*b, {3}, {1}).status.ok());
  EXPECT_EQ(Read(*b, 0, 10), (std::vector<int>{1, 2, 3}));
}

TEST_F(DiskBufferTest, DeliversEachSinkItsEventsInOrder) {
  auto b = Open({"a", "b"});
  ASSERT_TRUE(Append(*b, {1, 2, 3}, {0b01, 0b11, 0b10}).status.ok());
  ASSERT_TRUE(Append(*b, {4}, {0b11}).status.ok());
  EXPECT_EQ(b->FreedCount(), 0u) << "only acknowledgements release room";
  EXPECT_EQ(Read(*b, 0, 10), (std::vector<int>{1, 2, 4}));
  uint64_t freed = b->FreedCount();
  EXPECT_GT(freed, 0u);
  EXPECT_EQ(Read(*b, 1, 10), (std::vector<int>{2, 3, 4}));
  EXPECT_GT(b->FreedCount(), freed);
  EXPECT_EQ(b->Reader(0).Stats().events, 0u);
}

// A batching reader is woken once the writer has committed what fills its batch, counting
// only its own sink's events, not at every write round; at its deadline it takes what there is.
TEST_F(DiskBufferTest, AReaderWaitsForWhatItAskedForOrItsDeadline) {
  auto b = Open({"a", "b"});
  ASSERT_EQ(Read(*b, 0, 1), std::vector<int>{});
  std::atomic<int> appends_begun{0};
  int begun_when_woken = -1;
  std::vector<QueuedEvent> got;
  std::atomic<bool> reading{false};
  std::thread reader([&] {
    reading = true;
    b->Reader(0).Read(got, 10, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                      ReadWait{3, 0});
    begun_when_woken = appends_begun.load();
  });
  // The pauses let it get from its start into the wait before the appends begin.
  while (!reading) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  appends_begun = 1;
  ASSERT_TRUE(Append(*b, {1, 2}, {2, 2}).status.ok());  // sink b's: no reason to wake a
  appends_begun = 2;
  ASSERT_TRUE(Append(*b, {3}, {1}).status.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  appends_begun = 3;
  ASSERT_TRUE(Append(*b, {4, 5}, {1, 1}).status.ok());
  reader.join();
  EXPECT_EQ(begun_when_woken, 3);  // not woken by the first two appends
  ASSERT_FALSE(got.empty());
  b->Reader(0).Ack(got.size());
  EXPECT_EQ(Read(*b, 0, 10).size(), 3 - got.size());

  // What there is at the deadline.
  ASSERT_TRUE(Append(*b, {6}, {1}).status.ok());
  got.clear();
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (got.empty() && std::chrono::steady_clock::now() < give_up)
    b->Reader(0).Read(got, 10, std::chrono::steady_clock::now() + std::chrono::milliseconds(50),
                      ReadWait{5, 0});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event->id, "6");
}

TEST_F(DiskBufferTest, RedeliversWhatWasNotAcknowledgedAfterARestart) {
  {
    auto b = Open({"a", "b"});
    ASSERT_TRUE(Append(*b, {1, 2, 3, 4}, {0b11, 0b11, 0b11, 0b11}).status.ok());
    EXPECT_EQ(Read(*b, 0, 2), (std::vector<int>{1, 2}));      // acked
    EXPECT_EQ(Read(*b, 0, 1, false), (std::vector<int>{3}));  // read, not acked
    EXPECT_EQ(b->Reader(0).Stats().events, 2u);
  }
  auto b = Open({"a", "b"});
  EXPECT_EQ(b->Reader(0).Stats().events, 2u);
  EXPECT_EQ(b->Reader(1).Stats().events, 4u);
  EXPECT_EQ(Read(*b, 0, 10), (std::vector<int>{3, 4}));
  EXPECT_EQ(Read(*b, 1, 10), (std::vector<int>{1, 2, 3, 4}));
}

TEST_F(DiskBufferTest, WritesAnEventOnceHoweverManySinksItGoesTo) {
  std::vector<int> ids(200);
  for (int i = 0; i < 200; ++i) ids[i] = i;
  auto one = Open({"a"}, {}, FsyncPolicy::kInterval, dir_ / "one");
  ASSERT_TRUE(Append(*one, ids, std::vector<SinkMask>(200, 0b1)).status.ok());
  auto three = Open({"a", "b", "c"}, {}, FsyncPolicy::kInterval, dir_ / "three");
  ASSERT_TRUE(Append(*three, ids, std::vector<SinkMask>(200, 0b111)).status.ok());
  EXPECT_EQ(SegmentBytes(dir_ / "one"), SegmentBytes(dir_ / "three"));
  EXPECT_EQ(Read(*three, 2, 500).size(), 200u);
}

TEST_F(DiskBufferTest, RebuildsAMissingOrDamagedLedgerWithoutLoss) {
  {
    auto b = Open({"a"});
    ASSERT_TRUE(Append(*b, {1, 2}, {1, 1}).status.ok());
    EXPECT_EQ(Read(*b, 0, 1), (std::vector<int>{1}));
    ASSERT_TRUE(Append(*b, {3}, {1}).status.ok());
  }
  fs::remove(dir_ / "ledger");
  {
    auto b = Open({"a"});
    EXPECT_TRUE(b->recovery().ledger_rebuilt);
    EXPECT_EQ(Read(*b, 0, 10), (std::vector<int>{1, 2, 3}));  // a duplicate, nothing lost
  }
  {
    std::fstream f(dir_ / "ledger", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('X');
  }
  auto b = Open({"a"});
  EXPECT_TRUE(b->recovery().ledger_rebuilt);
  EXPECT_NE(b->recovery().ledger_problem.find("checksum"), std::string::npos);
}

TEST_F(DiskBufferTest, CountsAndSkipsADamagedRecordAndKeepsTheRest) {
  {
    auto b = Open({"a"});
    // Big records so that each fills its own 32 KiB blocks.
    for (int r = 0; r < 3; ++r) {
      std::vector<int> ids;
      for (int i = 0; i < 600; ++i) ids.push_back(r * 1000 + i);
      ASSERT_TRUE(Append(*b, ids, std::vector<SinkMask>(600, 1)).status.ok());
    }
  }
  auto segments = ListSegments(dir_.string());
  ASSERT_TRUE(segments.ok());
  std::string path = SegmentPath(dir_.string(), segments->front());
  ASSERT_GT(fs::file_size(path), 3u * 32768);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(500);  // inside the first record's first fragment
    f.put('\x7f');
  }
  auto b = Open({"a"});
  EXPECT_GE(b->recovery().corrupt_records, 1u);
  auto ids = Read(*b, 0, 2000);
  std::set<int> got(ids.begin(), ids.end());
  EXPECT_EQ(got.size(), 1200u);  // the records after the damaged one survive
  EXPECT_TRUE(got.count(1000));
  EXPECT_TRUE(got.count(2599));
  EXPECT_FALSE(got.count(0));  // the damaged one is gone (and counted)
}

TEST_F(DiskBufferTest, AppliesQueueLimitsAndPolicies) {
  QueueLimits l;
  l.max_events = 3;
  auto b = Open({"reject"}, l);
  ASSERT_TRUE(Append(*b, {1, 2, 3}, {1, 1, 1}).status.ok());
  AppendOutcome full = Append(*b, {4}, {1});
  EXPECT_FALSE(full.status.ok());
  EXPECT_TRUE(full.full);
  EXPECT_GE(full.retry_after_seconds, 1);
  EXPECT_NE(full.status.message().find("sinks.reject.queue.max_bytes"), std::string::npos);
  AppendOutcome early = b->RefusesAll(100);  // what a source asks before it parses
  EXPECT_TRUE(early.full);
  EXPECT_EQ(early.status.message(), full.status.message());
  EXPECT_EQ(Read(*b, 0, 10).size(), 3u);
  EXPECT_TRUE(b->RefusesAll(100).status.ok());
  EXPECT_TRUE(Append(*b, {5}, {1}).status.ok());  // room again

  QueueLimits drop = l;
  drop.when_full = FullPolicy::kDropNewest;
  auto d = Open({"dropper", "other"}, drop, FsyncPolicy::kInterval, dir_ / "drop");
  ASSERT_TRUE(Append(*d, {1, 2, 3}, {0b11, 0b11, 0b11}).status.ok());
  ASSERT_TRUE(Append(*d, {4}, {0b11}).status.ok());  // accepted, but not for "dropper"
  EXPECT_TRUE(d->RefusesAll(100).status.ok());       // drop_newest accepts: never refused early
  EXPECT_EQ(Read(*d, 0, 10), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(Read(*d, 1, 10), (std::vector<int>{1, 2, 3}));  // "other" is also full (limit 3)
  EXPECT_NE(metrics_.Render().find(
                "tributary_dropped_events_total{reason=\"queue_full\",sink=\"dropper\"} 1"),
            std::string::npos);
}

TEST_F(DiskBufferTest, DeletesSegmentsOnceEverySinkIsPastThem) {
  auto b = Open({"a", "b"}, {}, FsyncPolicy::kAlways, {}, 20000);
  std::vector<int> ids(100);
  for (int i = 0; i < 100; ++i) ids[i] = i;
  for (int r = 0; r < 10; ++r)
    ASSERT_TRUE(Append(*b, ids, std::vector<SinkMask>(100, 0b11)).status.ok());
  ASSERT_GE(ListSegments(dir_.string())->size(), 4u);
  EXPECT_EQ(Read(*b, 0, 2000).size(), 1000u);
  ASSERT_TRUE(b->Checkpoint().ok());
  EXPECT_GE(ListSegments(dir_.string())->size(), 4u);  // "b" still needs them
  EXPECT_EQ(Read(*b, 1, 2000).size(), 1000u);
  ASSERT_TRUE(b->Checkpoint().ok());
  EXPECT_LE(ListSegments(dir_.string())->size(), 2u);
}

TEST_F(DiskBufferTest, ReadsRecordsOfEverySizeAcrossItsReadWindows) {
  // The reader reads segments in 1 MiB windows: records that straddle a window's end, and
  // records larger than a window, must come back whole and in order.
  auto b = Open({"a"});
  std::vector<int> expected;
  int id = 0;
  for (size_t data_bytes : {100, 40000, 300000, 900000, 10, 700000, 500000, 5}) {
    std::string body = "[";
    for (int i = 0; i < 3; ++i, ++id) {
      body +=
          (i ? "," : "") + testing_util::MakeEvent(id, "\"" + std::string(data_bytes, 'x') + "\"");
      expected.push_back(id);
    }
    std::promise<AppendOutcome> p;
    b->Append(ParseBatch(body + "]"), std::vector<SinkMask>(3, 1),
              [&](AppendOutcome o) { p.set_value(std::move(o)); });
    ASSERT_TRUE(p.get_future().get().status.ok());
  }
  EXPECT_EQ(Read(*b, 0, 100), expected);
  EXPECT_EQ(metrics_.GetCounter("tributary_queue_corrupt_records_total", "").value(), 0u);
}

TEST_F(DiskBufferTest, RefusesADirectoryAnotherBufferHolds) {
  // A second collector on the same data_dir would truncate and delete the first one's
  // segments: it must not start, and say who holds the queue.
  auto first = Open({"a"});
  ASSERT_TRUE(Append(*first, {1}, {0b1}).status.ok());
  DiskQueueOptions o;
  o.dir = dir_.string();
  auto second = DiskBuffer::Open(o, {"a"}, {QueueLimits{}}, metrics_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  // Another process is named by its pid
  // (Durability.ASecondCollectorOnTheSameDataDirOrOutputRefusesToStart).
  EXPECT_EQ(second.status().message(),
            dir_.string() +
                " is already in use by this process; give this one its own "
                "storage.data_dir");
  EXPECT_EQ(DataSegments().size(), 1u);  // the refused open changed nothing
  first.reset();
  auto third = Open({"a"});  // released with the first
  EXPECT_EQ(Read(*third, 0, 10), (std::vector<int>{1}));
}

TEST_F(DiskBufferTest, AReaderThatCannotOpenItsSegmentTriesAgain) {
  auto b = Open({"a"});
  ASSERT_TRUE(Append(*b, {1, 2}, {0b1, 0b1}).status.ok());
  auto segments = DataSegments();
  ASSERT_EQ(segments.size(), 1u);
  std::string path = SegmentPath(dir_.string(), segments.front());
  fs::rename(path, path + ".away");
  EXPECT_TRUE(Read(*b, 0, 10).empty());  // reported, and the reader waits
  fs::rename(path + ".away", path);
  EXPECT_EQ(Read(*b, 0, 10), (std::vector<int>{1, 2}));
}

TEST_F(DiskBufferTest, UnderIntervalSyncsAndCheckpointsOnItsOwnThread) {
  // Appends are answered once written; a thread of the queue's own syncs every segment
  // written since its last round (here across rotations) and saves the ledger, which is
  // what lets delivered segments go without anyone calling Checkpoint.
  auto b = Open({"a"}, {}, FsyncPolicy::kInterval, {}, 20000);
  std::vector<int> ids(100);
  for (int i = 0; i < 100; ++i) ids[i] = i;
  for (int r = 0; r < 10; ++r)
    ASSERT_TRUE(Append(*b, ids, std::vector<SinkMask>(100, 0b1)).status.ok());
  ASSERT_GE(ListSegments(dir_.string())->size(), 4u);
  auto eventually = [](auto done) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
  };
  EXPECT_TRUE(eventually([&] { return b->unsynced_bytes() == 0; }));
  EXPECT_EQ(Read(*b, 0, 2000).size(), 1000u);
  EXPECT_TRUE(eventually([&] { return DataSegments().size() <= 1; }));
  b.reset();
  auto reopened = Open({"a"}, {}, FsyncPolicy::kInterval, {}, 20000);
  EXPECT_TRUE(Read(*reopened, 0, 10).empty());
}

// Model-based test: random appends, reads, acks, clean restarts and crashes (the queue
// directory copied while the buffer runs, as a killed process leaves it) against a
// model of what each sink is owed. Whatever happens, every acknowledged event reaches
// every sink it was routed to, in order, and after a clean restart exactly once.
class DiskBufferModelTest : public DiskBufferTest, public testing::WithParamInterface<int> {};

TEST_P(DiskBufferModelTest, AgreesWithASimpleModelUnderRandomOperations) {
  std::mt19937 rng(static_cast<unsigned>(GetParam()));
  const std::vector<std::string> sinks = {"a", "b", "c"};
  fs::path live = dir_ / "live";
  auto b = Open(sinks, {}, FsyncPolicy::kInterval, live, 20000);
  std::vector<std::vector<int>> owed(3);  // per sink: ids appended and not yet acknowledged
  std::vector<std::set<int>> delivered(3);
  int next_id = 0;
  for (int step = 0; step < 300; ++step) {
    int op = static_cast<int>(rng() % 10);
    if (op < 5) {  // append
      int n = 1 + static_cast<int>(rng() % 20);
      std::vector<int> ids;
      std::vector<SinkMask> masks;
      for (int i = 0; i < n; ++i) {
        ids.push_back(next_id++);
        masks.push_back(rng() % 8);
      }
      ASSERT_TRUE(Append(*b, ids, masks).status.ok());
      for (int i = 0; i < n; ++i) {
        for (size_t s = 0; s < 3; ++s) {
          if (masks[i] >> s & 1) owed[s].push_back(ids[i]);
        }
      }
    } else if (op < 8) {  // read and acknowledge a few
      size_t s = rng() % 3;
      size_t want = std::min<size_t>(owed[s].size(), 1 + rng() % 15);
      auto got = Read(*b, s, want);
      ASSERT_EQ(got, std::vector<int>(owed[s].begin(), owed[s].begin() + static_cast<long>(want)))
          << "step " << step;
      for (int id : got) delivered[s].insert(id);
      owed[s].erase(owed[s].begin(), owed[s].begin() + static_cast<long>(want));
    } else if (op == 8) {  // clean restart: exactly what is owed comes back
      b.reset();

      b = Open(sinks, {}, FsyncPolicy::kInterval, live, 20000);
      for (size_t s = 0; s < 3; ++s) {
        if (b->Reader(s).Stats().events != owed[s].size()) {
          auto got = Read(*b, s, 1000, false);
          std::string g, o;
          for (int id : got) g += std::to_string(id) + " ";
          for (int id : owed[s]) o += std::to_string(id) + " ";
          FAIL() << "step " << step << " sink " << s << "\n got:  " << g << "\n owed: " << o;
        }
      }
    } else {  // crash: continue from a copy of the files as they are now
      fs::path crashed = dir_ / ("crash-" + std::to_string(step));
      fs::copy(live, crashed, fs::copy_options::recursive);
      b.reset();
      fs::remove_all(live);
      fs::rename(crashed, live);
      b = Open(sinks, {}, FsyncPolicy::kInterval, live, 20000);
      // A crash may replay acknowledged events (the ledger is saved once a second), never
      // lose owed ones: drain each sink's replay until the owed events start.
      for (size_t s = 0; s < 3; ++s) {
        size_t queued = b->Reader(s).Stats().events;
        ASSERT_GE(queued, owed[s].size()) << "step " << step;
        auto replay = Read(*b, s, queued - owed[s].size());
        for (int id : replay)
          ASSERT_TRUE(delivered[s].count(id)) << "replayed an event never delivered: " << id;
      }
    }
  }
  for (size_t s = 0; s < 3; ++s) {
    auto rest = Read(*b, s, owed[s].size() + 10);
    ASSERT_EQ(rest, owed[s]);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, DiskBufferModelTest, testing::Values(7, 11, 23, 42));

}  // namespace
}  // namespace tributary
