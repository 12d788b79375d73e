#pragma once
// SinkRunner drives one sink: a batching thread reads the sink's queue, batches and encodes
// events and cuts batches; one sender thread per sink instance (`concurrency`) compresses
// a batch, sends it, retries retryable failures with exponential backoff and full jitter,
// and settles it. A slow or failing sink therefore never slows ingest or other sinks.
//
// Batches are acknowledged in queue order whatever order they settle in, so a restart
// redelivers from the oldest unsettled batch and never skips one. A batch that fails
// permanently, or whose retries are exhausted (max_attempts, max_elapsed), goes to the
// dead-letter queue with the error; only then is it settled. Nothing leaves the queue
// without being delivered or dead-lettered.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "admin/metrics.h"
#include "buffer/queue.h"
#include "format/compression.h"
#include "format/encoder.h"
#include "pipeline/backoff.h"
#include "pipeline/batcher.h"
#include "sinks/sink.h"

namespace tributary {

struct RetryOptions {
  BackoffPolicy backoff;
  uint64_t max_attempts = 10;                // 0 = unlimited
  std::chrono::milliseconds max_elapsed{0};  // 0 = unlimited
  uint64_t breaker_threshold = 5;            // 0 = no circuit breaker
};

struct SinkRunnerOptions {
  BatchLimits batch;
  Encoding encoding = Encoding::kNdjson;
  Compression compression = Compression::kNone;
  int compression_level = 0;
  RetryOptions retry;
  std::string data_dir;  // where dead letters go (data_dir/dlq/<sink>)
  Enrichment enrichment;
  bool durable_queue = false;  // what is not delivered at stop is kept for the next start
  // The sink takes each event as a record (SinkTraits::records): its protocol compresses.
  bool records = false;
  // The sink writes batches given as pieces (SinkTraits::pieces), used when uncompressed.
  bool pieces = false;
};

class SinkRunner {
 public:
  // One sink instance per sender: at most `sinks.size()` batches are in flight.
  SinkRunner(std::string name, std::vector<std::unique_ptr<Sink>> sinks, QueueReader& reader,
             SinkRunnerOptions options, Metrics& metrics, const Clock& clock);
  ~SinkRunner();

  void Start();
  // Call after the buffer is closed: delivers what is queued, then closes the sinks. If
  // `deadline` passes first, gives up and reports what was not delivered.
  void Stop(SteadyTime deadline);

  const std::string& name() const { return name_; }

 private:
  // A batch from the moment it is cut until its events are acknowledged.
  struct Flight {
    EncodedBatch batch;               // body still uncompressed until a sender takes it
    std::vector<QueuedEvent> events;  // for the dead-letter queue
    bool taken = false;               // a sender has it
    bool unsynced = false;            // written, waiting for the sink's Sync()
    bool settled = false;             // delivered or dead-lettered
  };

  void Run();  // the batching thread
  // Hands the batcher's content to the senders; waits while more than `concurrency`
  // batches are unsettled and they hold kCutAheadBytes, not counting those written and
  // waiting for a sync.
  // False if the stop deadline passed first.
  bool Cut();
  void Sender(Sink& sink);
  // Sends until delivered or dead-lettered (true), or the stop deadline passes (false).
  bool Deliver(Sink& sink, Flight& flight);
  // Syncs the sink, then settles the batches it wrote unsynced; writes them again if the
  // sync failed. False if the stop deadline passed first.
  bool SyncWritten(Sink& sink, std::vector<Flight*>& written);
  void CompressBody(EncodedBatch& batch);
  // Marks the flight settled and acknowledges the settled batches at the queue's head.
  void Settle(Flight& flight);
  // Keeps the buffers of an acknowledged flight for the next batches (with mu_ held):
  // a new batch body is otherwise fresh memory to fault in, every batch.
  void KeepBuffers(Flight& flight);
  bool Abandoned() const;
  // Sleeps up to `d`; false if the stop deadline passed meanwhile.
  bool Wait(std::chrono::milliseconds d);
  void RecordOutcome(bool ok);
  // While the circuit breaker is open, waits for this sender's turn to probe.
  bool AwaitProbe();
  // Writes the flight's events to the dead-letter queue; false if that failed.
  bool DeadLetter(const Flight& flight, const SendResult& last, int attempts,
                  int64_t first_error_ns);

  const std::string name_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  QueueReader& reader_;
  const SinkRunnerOptions options_;
  const Clock& clock_;
  std::unique_ptr<Encoder> encoder_;
  Batcher batcher_;
  std::vector<QueuedEvent> in_batch_;  // the events of the batch being built
  std::thread batching_thread_;
  std::vector<std::thread> senders_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> deadline_ns_{INT64_MAX};  // steady clock, for the stop deadline

  std::mutex mu_;
  std::condition_variable changed_;  // a flight was cut or settled, or no more will come
  std::deque<std::unique_ptr<Flight>> flights_;  // unsettled or not yet acknowledged, in order
  // Buffers of acknowledged flights, cleared but with their capacity, for the next batches.
  struct Spare {
    std::string body;
    std::vector<QueuedEvent> events;
  };
  std::vector<Spare> spares_;
  bool cut_all_ = false;  // the batching thread is done
  // The circuit breaker: failures in a row, across batches. Once open, the sink gets one
  // probe per max_backoff (instead of a retry storm from every sender) until it answers.
  uint64_t consecutive_failures_ = 0;
  SteadyTime next_probe_{};
  std::atomic<bool> breaker_open_{false};

  Counter& sent_events_;
  Counter& sent_bytes_;
  Counter& sent_batches_;
  Counter& failures_;
  Counter& retries_;
  Counter& attempts_;
  Counter& dead_letters_;
  Counter& dropped_shutdown_;
};

}  // namespace tributary
