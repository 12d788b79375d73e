#include "pipeline/sink_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>

#include "pipeline/dead_letters.h"

namespace tributary {
namespace {

int64_t SteadyNanos(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Counter& SinkCounter(Metrics& m, const std::string& name, const std::string& help,
                     const std::string& sink, const std::string& extra = "") {
  return m.GetCounter(name, help, extra + "sink=" + LabelValue(sink));
}

}  // namespace

SinkRunner::SinkRunner(std::string name, std::unique_ptr<Sink> sink, QueueReader& reader,
                       SinkRunnerOptions options, Metrics& metrics, const Clock& clock)
    : name_(std::move(name)),
      sink_(std::move(sink)),
      reader_(reader),
      options_(options),
      clock_(clock),
      encoder_(MakeEncoder(options.encoding, options.enrichment)),
      batcher_(options.batch, *encoder_, clock),
      sent_events_(SinkCounter(metrics, "tributary_sink_sent_events_total",
                               "Events delivered by the sink", name_)),
      sent_bytes_(SinkCounter(metrics, "tributary_sink_sent_bytes_total",
                              "Bytes delivered by the sink (after compression)", name_)),
      sent_batches_(SinkCounter(metrics, "tributary_sink_sent_batches_total",
                                "Batches delivered by the sink", name_)),
      failures_(
          SinkCounter(metrics, "tributary_sink_failures_total", "Failed delivery attempts", name_)),
      retries_(SinkCounter(metrics, "tributary_sink_retries_total",
                           "Delivery attempts that were retries", name_)),
      attempts_(SinkCounter(metrics, "tributary_sink_attempts_total", "Delivery attempts", name_)),
      dead_letters_(SinkCounter(metrics, "tributary_sink_dead_letter_events_total",
                                "Events written to the dead-letter queue", name_)),
      dropped_shutdown_(SinkCounter(metrics, "tributary_dropped_events_total",
                                    "Events not delivered, by reason", name_,
                                    "reason=\"shutdown\",")) {
  metrics.AddGauge(
      "tributary_sink_circuit_open", "1 while the sink's circuit breaker is open (probing)",
      "sink=" + LabelValue(name_), [this] { return breaker_open_.load() ? 1.0 : 0.0; });
}

void SinkRunner::RecordOutcome(bool ok) {
  if (ok) {
    if (breaker_open_.exchange(false))
      spdlog::info("sink '{}': answering again; circuit breaker closed", name_);
    consecutive_failures_ = 0;
    return;
  }
  ++consecutive_failures_;
  uint64_t threshold = options_.retry.breaker_threshold;
  if (threshold > 0 && consecutive_failures_ >= threshold && !breaker_open_.exchange(true)) {
    spdlog::error(
        "sink '{}': {} failures in a row; circuit breaker open: one probe every {} ms until it "
        "answers",
        name_, consecutive_failures_, options_.retry.backoff.max.count());
  }
}

SinkRunner::~SinkRunner() {
  if (thread_.joinable()) Stop(clock_.Now());
}

void SinkRunner::Start() {
  thread_ = std::thread([this] { Run(); });
}

void SinkRunner::Stop(SteadyTime deadline) {
  deadline_ns_.store(SteadyNanos(deadline));
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

bool SinkRunner::Abandoned() const {
  return stopping_.load() && SteadyNanos(clock_.Now()) >= deadline_ns_.load();
}

void SinkRunner::Run() {
  std::vector<QueuedEvent> events;
  while (true) {
    if (reader_.Drained() && batcher_.empty()) break;
    if (Abandoned()) break;
    // Wake for the batch deadline, or once a second for the sink's time-based work.
    SteadyTime now = clock_.Now();
    SteadyTime wake = std::min(batcher_.Deadline(), now + std::chrono::seconds(1));
    events.clear();
    size_t room = options_.batch.max_events - batcher_.count();
    reader_.Read(events, room, wake);
    for (const QueuedEvent& q : events) {
      if (!batcher_.Add(*q.batch, *q.event)) {
        Flush();
        batcher_.Add(*q.batch, *q.event);
      }
      in_batch_.push_back(q);
      if (batcher_.Full()) Flush();
    }
    now = clock_.Now();
    // Once the buffer is closed and drained nothing more will come: flush what is left.
    if (batcher_.Due(now) || (!batcher_.empty() && reader_.Drained())) Flush();
    sink_->Poll(now);
  }
  if (!batcher_.empty()) {
    dropped_shutdown_.Inc(batcher_.count());
    spdlog::error("sink '{}': stopped with {} events not delivered (grace period over)", name_,
                  batcher_.count());
  }
  QueueStats left = reader_.Stats();
  if (left.events > batcher_.count()) {
    dropped_shutdown_.Inc(left.events - batcher_.count());
    spdlog::error("sink '{}': {} queued events were not delivered before the grace period ended{}",
                  name_, left.events - batcher_.count(),
                  " (a disk queue keeps them for the next start)");
  }
  if (Status st = sink_->Close(); !st.ok())
    spdlog::error("sink '{}': close failed: {}", name_, st.message());
}

std::string SinkRunner::BatchId() const {
  // The same events in the same queue give the same id: on every retry, and for a disk
  // queue after a restart as long as the batch is cut at the same place.
  const QueuedEvent& first = in_batch_.front();
  return fmt::format("{}-{:x}-{:x}-{}", name_, first.position_hi, first.position_lo,
                     in_batch_.size());
}

bool SinkRunner::Wait(std::chrono::milliseconds d) {
  SteadyTime until = clock_.Now() + d;
  while (clock_.Now() < until) {
    if (Abandoned()) return false;
    std::this_thread::sleep_for(
        std::min<std::chrono::nanoseconds>(until - clock_.Now(), std::chrono::milliseconds(50)));
  }
  return true;
}

bool SinkRunner::DeadLetter(const SendResult& last, int attempts, int64_t first_error_ns) {
  std::string events;
  for (const QueuedEvent& q : in_batch_) {
    AppendEventJson(*q.batch, *q.event, events,
                    options_.enrichment.empty() ? nullptr : &options_.enrichment);
    events.push_back('\n');
  }
  tributary::DeadLetter letter;
  letter.id = BatchId();
  letter.sink = name_;
  letter.events = in_batch_.size();
  letter.attempts = attempts;
  letter.status = last.status;
  letter.error = last.error;
  letter.response_excerpt = last.response_excerpt;
  letter.first_error_ns = first_error_ns;
  letter.last_error_ns = clock_.UnixNanos();
  if (Status st = WriteDeadLetter(options_.data_dir, letter, events); !st.ok()) {
    spdlog::error("sink '{}': cannot write dead letter {}: {}; the batch stays queued", name_,
                  letter.id, st.message());
    return false;
  }
  dead_letters_.Inc(in_batch_.size());
  spdlog::error("sink '{}': batch {} ({} events) dead-lettered after {} attempt{}: {}", name_,
                letter.id, in_batch_.size(), attempts, attempts == 1 ? "" : "s", last.error);
  return true;
}

void SinkRunner::Flush() {
  const size_t count = batcher_.count();
  EncodedBatch batch;
  std::string encoded = batcher_.Take();
  batch.events = count;
  batch.encoded_bytes = encoded.size();
  batch.content_type = encoder_->content_type();
  batch.compression = options_.compression;
  batch.created_ns = clock_.UnixNanos();
  batch.id = BatchId();
  if (options_.compression == Compression::kNone) {
    batch.body = std::move(encoded);
  } else if (Status st =
                 Compress(options_.compression, options_.compression_level, encoded, batch.body);
             !st.ok()) {
    batch.body = std::move(encoded);  // cannot happen with valid levels; send it as it is
    batch.compression = Compression::kNone;
    spdlog::error("sink '{}': {}; sending uncompressed", name_, st.message());
  }

  thread_local std::mt19937_64 rng{std::random_device{}()};
  Backoff backoff(options_.retry.backoff,
                  [](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n)(rng); });
  int64_t first_error_ns = 0;
  SteadyTime first_error{};
  for (int attempt = 1;; ++attempt) {
    if (attempt == 1 && breaker_open_.load() && !Wait(options_.retry.backoff.max)) {
      dropped_shutdown_.Inc(count);
      in_batch_.clear();
      return;  // not acknowledged: a disk queue delivers it after the restart
    }
    attempts_.Inc();
    if (attempt > 1) retries_.Inc();
    SendResult r = sink_->Send(batch);
    RecordOutcome(r.kind == SendResult::kOk);
    if (r.kind == SendResult::kOk) {
      sent_events_.Inc(count);
      sent_bytes_.Inc(batch.body.size());
      sent_batches_.Inc();
      break;
    }
    failures_.Inc();
    if (first_error_ns == 0) {
      first_error_ns = clock_.UnixNanos();
      first_error = clock_.Now();
    }
    bool exhausted = (options_.retry.max_attempts > 0 &&
                      static_cast<uint64_t>(attempt) >= options_.retry.max_attempts) ||
                     (options_.retry.max_elapsed.count() > 0 &&
                      clock_.Now() - first_error >= options_.retry.max_elapsed);
    if (r.kind == SendResult::kPermanent || exhausted) {
      // Dead-letter it; if even that fails, keep the batch and try again later.
      bool written = false;
      while (!(written = DeadLetter(r, attempt, first_error_ns)) && Wait(backoff.Next())) {
      }
      if (written) break;
      dropped_shutdown_.Inc(count);
      in_batch_.clear();
      return;  // the stop deadline passed: not acknowledged, a disk queue redelivers it
    }
    auto delay = breaker_open_.load() ? options_.retry.backoff.max : backoff.Next(r.retry_after);
    spdlog::warn("sink '{}': batch {} attempt {} failed: {}; retrying in {} ms", name_, batch.id,
                 attempt, r.error, delay.count());
    if (!Wait(delay)) {
      dropped_shutdown_.Inc(count);
      spdlog::error("sink '{}': gave up on batch {} ({} events) at shutdown", name_, batch.id,
                    count);
      in_batch_.clear();
      return;  // not acknowledged: a disk queue delivers it after the restart
    }
  }
  in_batch_.clear();
  reader_.Ack(count);
}

}  // namespace tributary
