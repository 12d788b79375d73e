// The shared driver with several batches in flight: batches settle in any order, the
// queue is acknowledged in queue order.
#include "pipeline/sink_runner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "buffer/memory_buffer.h"
#include "test_util.h"

namespace tributary {
namespace {

using testing_util::MakeBatchBody;
using testing_util::ParseBatch;

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
    // NDJSON, uncompressed: the first line's id says which batch this is.
    size_t at = batch.body.find("\"id\":\"") + 6;
    std::string first = batch.body.substr(at, batch.body.find('"', at) - at);
    std::unique_lock lock(gate_.mu);
    if (first == "0") gate_.WaitFor(lock, [&] { return gate_.open; });
    gate_.delivered.insert(first);
    gate_.cv.notify_all();
    return SendResult::Ok();
  }

 private:
  Gate& gate_;
};

// Passes through to a real queue and notes each acknowledgement, and whether the gated
// first batch had been let through by then.
class AckRecorder final : public QueueReader {
 public:
  AckRecorder(QueueReader& inner, Gate& gate) : inner_(inner), gate_(gate) {}
  size_t Read(std::vector<QueuedEvent>& out, size_t max, SteadyTime deadline) override {
    return inner_.Read(out, max, deadline);
  }
  void Ack(size_t n) override {
    {
      std::lock_guard lock(gate_.mu);
      acks.push_back({n, gate_.open});
    }
    inner_.Ack(n);
  }
  bool Drained() const override { return inner_.Drained(); }
  QueueStats Stats() const override { return inner_.Stats(); }

  std::vector<std::pair<size_t, bool>> acks;  // (events, first batch let through)

 private:
  QueueReader& inner_;
  Gate& gate_;
};

TEST(SinkRunner, AcknowledgesInQueueOrderWhateverOrderBatchesSettleIn) {
  MemoryBuffer buffer({"s"}, {QueueLimits{}});
  auto events = ParseBatch(MakeBatchBody(6));
  std::vector<SinkMask> masks(6, 1);
  buffer.Append(events, masks, [](AppendOutcome o) { ASSERT_TRUE(o.status.ok()); });

  Gate gate;
  AckRecorder reader(buffer.Reader(0), gate);
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
  for (auto [n, first_done] : reader.acks) {
    EXPECT_TRUE(first_done) << n << " events acknowledged ahead of the first batch";
    total += n;
  }
  EXPECT_EQ(total, 6u);
}

}  // namespace
}  // namespace tributary
