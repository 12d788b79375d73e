// The shared driver with several batches in flight: batches settle in any order, the
// queue is acknowledged in queue order; batches a sink wrote unsynced are acknowledged only
// after its sync, many to one sync.
#include "pipeline/sink_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "buffer/memory_buffer.h"
#include "format/compression.h"
#include "test_util.h"

namespace tributary {
namespace {

using testing_util::MakeBatchBody;
using testing_util::ParseBatch;

// The id of the first event of an NDJSON body: which batch this is.
std::string FirstId(std::string_view body) {
  size_t at = body.find("\"id\":\"") + 6;
  return std::string(body.substr(at, body.find('"', at) - at));
}

// Passes through to a real queue and calls `on_ack` with each acknowledgement first.
class AckObserver final : public QueueReader {
 public:
  AckObserver(QueueReader& inner, std::function<void(size_t)> on_ack)
      : inner_(inner), on_ack_(std::move(on_ack)) {}
  size_t Read(std::vector<QueuedEvent>& out, size_t max, SteadyTime deadline,
              ReadWait wait) override {
    size_t n = inner_.Read(out, max, deadline, wait);
    read += n;
    return n;
  }
  void Ack(size_t n) override {
    on_ack_(n);
    inner_.Ack(n);
  }
  bool Drained() const override { return inner_.Drained(); }
  QueueStats Stats() const override { return inner_.Stats(); }

  std::atomic<size_t> read{0};  // events handed to the runner

 private:
  QueueReader& inner_;
  std::function<void(size_t)> on_ack_;
};

// What the sink instances of one runner share: the ids of the batches they delivered and
// a gate that holds back the batch starting with event "0" until it is opened.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::set<std::string> delivered;  // first event id of each delivered batch

  template <typename Pred>
  bool WaitFor(std::unique_lock<std::mutex>& lock, Pred pred) {
    return cv.wait_for(lock, std::chrono::seconds(10), pred);
  }
};

class GatedSink final : public Sink {
 public:
  explicit GatedSink(Gate& gate) : gate_(gate) {}
  SendResult Send(const EncodedBatch& batch) override {
    std::string first = FirstId(batch.body);  // NDJSON, uncompressed
    std::unique_lock lock(gate_.mu);
    if (first == "0") gate_.WaitFor(lock, [&] { return gate_.open; });
    gate_.delivered.insert(first);
    gate_.cv.notify_all();
    return SendResult::Ok();
  }

 private:
  Gate& gate_;
};

TEST(SinkRunner, AcknowledgesInQueueOrderWhateverOrderBatchesSettleIn) {
  MemoryBuffer buffer({"s"}, {QueueLimits{}});
  auto events = ParseBatch(MakeBatchBody(6));
  std::vector<SinkMask> masks(6, 1);
  buffer.Append(events, masks, [](AppendOutcome o) { ASSERT_TRUE(o.status.ok()); });

  Gate gate;
  std::vector<std::pair<size_t, bool>> acks;  // (events, first batch let through)
  AckObserver reader(buffer.Reader(0), [&](size_t n) {
    std::lock_guard lock(gate.mu);
    acks.push_back({n, gate.open});
  });
  std::vector<std::unique_ptr<Sink>> sinks;
  for (int i = 0; i < 3; ++i) sinks.push_back(std::make_unique<GatedSink>(gate));
  SinkRunnerOptions opts;
  opts.batch.max_events = 2;  // three batches: 0-1, 2-3, 4-5
  opts.batch.max_age = std::chrono::milliseconds(10);
  Metrics metrics;
  SinkRunner runner("s", std::move(sinks), reader, opts, metrics, SystemClock::Get());
  runner.Start();
  {
    std::unique_lock lock(gate.mu);
    ASSERT_TRUE(gate.WaitFor(lock, [&] { return gate.delivered.size() == 2; }))
        << "the later batches were not sent while the first was in flight";
    EXPECT_EQ(gate.delivered, (std::set<std::string>{"2", "4"}));
    gate.open = true;
    gate.cv.notify_all();
    ASSERT_TRUE(gate.WaitFor(lock, [&] { return gate.delivered.size() == 3; }));
  }
  buffer.Close();
  runner.Stop(SteadyTime::max());
  EXPECT_EQ(reader.Stats().events, 0u);
  // The later batches settled first, but nothing was acknowledged before the first.
  size_t total = 0;
  for (auto [n, first_done] : acks) {
    EXPECT_TRUE(first_done) << n << " events acknowledged ahead of the first batch";
    total += n;
  }
  EXPECT_EQ(total, 6u);
}

TEST(SinkRunner, KeepsBatchingWhileItsSenderIsBusy) {
  // One sender, stuck on the first batch: the batching thread cuts the next batches anyway
  // (up to 2 MiB of them), so that the sender finds them encoded when it is free again.
  MemoryBuffer buffer({"s"}, {QueueLimits{}});
  buffer.Append(ParseBatch(MakeBatchBody(20)), std::vector<SinkMask>(20, 1),
                [](AppendOutcome o) { ASSERT_TRUE(o.status.ok()); });
  Gate gate;
  AckObserver reader(buffer.Reader(0), [](size_t) {});
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<GatedSink>(gate));
  SinkRunnerOptions opts;
  opts.batch.max_events = 2;
  opts.batch.max_age = std::chrono::milliseconds(10);
  Metrics metrics;
  SinkRunner runner("s", std::move(sinks), reader, opts, metrics, SystemClock::Get());
  runner.Start();
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (reader.read < 20 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(reader.read, 20u) << "batching stopped behind the busy sender";
  {
    std::unique_lock lock(gate.mu);
    EXPECT_TRUE(gate.delivered.empty());
    gate.open = true;
    gate.cv.notify_all();
    ASSERT_TRUE(gate.WaitFor(lock, [&] { return gate.delivered.size() == 10; }));
  }
  buffer.Close();
  runner.Stop(SteadyTime::max());
  EXPECT_EQ(reader.Stats().events, 0u);
}

// What a sink that syncs in rounds did, and what the queue was told.
struct SyncLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> written;  // first event id of each batch, in order written
  size_t unsynced_events = 0, synced_events = 0, acked_events = 0;
  int syncs = 0, failed_syncs = 0;
  bool fail_next_sync = false;
  bool acked_before_sync = false;
};

// Writes unsynced (as a file sink does); a failed sync loses what it had not synced.
class SyncingSink final : public Sink {
 public:
  explicit SyncingSink(SyncLog& log) : log_(log) {}
  SendResult Send(const EncodedBatch& batch) override {
    std::string body = batch.body;
    if (batch.compression != Compression::kNone) {
      body.clear();
      EXPECT_TRUE(Decompress(batch.compression, batch.body, body, 1 << 20).ok())
          << "compressed once, however often written";
    }
    std::lock_guard lock(log_.mu);
    log_.written.push_back(FirstId(body));
    log_.unsynced_events += batch.events;
    log_.cv.notify_all();
    return SendResult::Written();
  }
  Status Sync() override {
    std::lock_guard lock(log_.mu);
    ++log_.syncs;
    if (log_.fail_next_sync) {
      log_.fail_next_sync = false;
      ++log_.failed_syncs;
      log_.unsynced_events = 0;
      return IoError("sync failed (test)");
    }
    log_.synced_events += log_.unsynced_events;
    log_.unsynced_events = 0;
    return Status::Ok();
  }

 private:
  SyncLog& log_;
};

// Runs 10 batches of 2 events through a SyncingSink. The clock stands still, so the sink is
// synced only when nothing more will come: at stop.
void RunSyncing(SyncLog& log, Compression compression = Compression::kNone) {
  MemoryBuffer buffer({"s"}, {QueueLimits{}});
  std::vector<SinkMask> masks(20, 1);
  buffer.Append(ParseBatch(MakeBatchBody(20)), masks,
                [](AppendOutcome o) { ASSERT_TRUE(o.status.ok()); });
  AckObserver reader(buffer.Reader(0), [&](size_t n) {
    std::lock_guard lock(log.mu);
    log.acked_events += n;
    if (log.acked_events > log.synced_events) log.acked_before_sync = true;
  });
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<SyncingSink>(log));
  SinkRunnerOptions opts;
  opts.batch.max_events = 2;
  opts.compression = compression;
  opts.compression_level = 6;  // deflated: level 0 stores the text, readable even if gzipped twice
  opts.retry.backoff.initial = std::chrono::milliseconds(0);
  Metrics metrics;
  ManualClock clock;
  SinkRunner runner("s", std::move(sinks), reader, opts, metrics, clock);
  runner.Start();
  {
    std::unique_lock lock(log.mu);
    ASSERT_TRUE(
        log.cv.wait_for(lock, std::chrono::seconds(10), [&] { return log.written.size() == 10; }));
    EXPECT_EQ(log.syncs, 0);
    EXPECT_EQ(log.acked_events, 0u) << "acknowledged before any sync";
  }
  buffer.Close();
  runner.Stop(SteadyTime::max());
  EXPECT_EQ(reader.Stats().events, 0u);
}

TEST(SinkRunner, AcknowledgesWrittenBatchesAfterOneSyncForAll) {
  SyncLog log;
  RunSyncing(log);
  EXPECT_EQ(log.syncs, 1);
  EXPECT_EQ(log.acked_events, 20u);
  EXPECT_FALSE(log.acked_before_sync);
}

TEST(SinkRunner, WritesBatchesAgainWhenTheSyncFails) {
  SyncLog log;
  log.fail_next_sync = true;
  RunSyncing(log, Compression::kGzip);
  EXPECT_EQ(log.failed_syncs, 1);
  EXPECT_EQ(log.syncs, 2);
  // Every batch written twice, in queue order both times, and acknowledged once.
  std::vector<std::string> once = {"0", "2", "4", "6", "8", "10", "12", "14", "16", "18"};
  std::vector<std::string> twice = once;
  twice.insert(twice.end(), once.begin(), once.end());
  EXPECT_EQ(log.written, twice);
  EXPECT_EQ(log.acked_events, 20u);
  EXPECT_FALSE(log.acked_before_sync);
}

}  // namespace
}  // namespace tributary
