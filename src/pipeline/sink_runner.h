#pragma once
// SinkRunner drives one sink on its own thread: it reads the sink's queue, batches and
// encodes events, compresses the batch, sends it, retries retryable failures with
// exponential backoff and full jitter, and acknowledges the queue only after success.
// A slow or failing sink therefore never slows ingest or other sinks.
//
// A batch that fails permanently, or whose retries are exhausted (max_attempts,
// max_elapsed), goes to the dead-letter queue with the error; only then is it
// acknowledged. Nothing leaves the queue without being delivered or dead-lettered.

#include <atomic>
#include <chrono>
#include <memory>
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
};

class SinkRunner {
 public:
  SinkRunner(std::string name, std::unique_ptr<Sink> sink, QueueReader& reader,
             SinkRunnerOptions options, Metrics& metrics, const Clock& clock);
  ~SinkRunner();

  void Start();
  // Call after the buffer is closed: delivers what is queued, then closes the sink. If
  // `deadline` passes first, gives up and counts what was not delivered.
  void Stop(SteadyTime deadline);

  const std::string& name() const { return name_; }

 private:
  void Run();
  // Sends the current batch until it succeeds, fails permanently or the stop deadline
  // passes; acknowledges its events in the queue either way.
  void Flush();
  bool Abandoned() const;
  // Sleeps up to `d`; false if the stop deadline passed meanwhile.
  bool Wait(std::chrono::milliseconds d);
  void RecordOutcome(bool ok);
  // Writes the current batch to the dead-letter queue; false if that failed.
  bool DeadLetter(const SendResult& last, int attempts, int64_t first_error_ns);
  std::string BatchId() const;

  const std::string name_;
  std::unique_ptr<Sink> sink_;
  QueueReader& reader_;
  const SinkRunnerOptions options_;
  const Clock& clock_;
  std::unique_ptr<Encoder> encoder_;
  Batcher batcher_;
  std::vector<QueuedEvent> in_batch_;  // the events of the batch being built or sent
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> deadline_ns_{INT64_MAX};  // steady clock, for the stop deadline
  // The circuit breaker: failures in a row, across batches. Once open, the sink gets one
  // probe per max_backoff (instead of a retry storm from every new batch) until it answers.
  uint64_t consecutive_failures_ = 0;
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
