#include "pipeline/sink_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <utility>

#include "core/thread_name.h"
#include "pipeline/dead_letters.h"

namespace tributary {
namespace {

// A sender syncs what it wrote unsynced after this much time or these many bytes (which
// bounds the batches held, and so the memory: 100 ms of single-event requests held 10 MiB
// more), whichever comes first.
constexpr auto kSyncEvery = std::chrono::milliseconds(20);
constexpr size_t kSyncBytes = 2 << 20;  // ~6,000 events of 330 bytes
// The batching thread cuts ahead of busy senders until the batches they have not settled
// hold this many bytes, so that encoding goes on while a sender writes or syncs (a file
// sink's batching thread sat idle through each sync) and memory stays bounded.
constexpr size_t kCutAheadBytes = 2 << 20;

int64_t SteadyNanos(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Counter& SinkCounter(Metrics& m, const std::string& name, const std::string& help,
                     const std::string& sink, const std::string& extra = "") {
  return m.GetCounter(name, help, extra + "sink=" + LabelValue(sink));
}

// Pieces are written as they are: only for a sink that writes them, uncompressed.
BatchForm FormFor(const SinkRunnerOptions& o) {
  if (o.records) return BatchForm::kRecords;
  if (o.pieces && o.compression == Compression::kNone) return BatchForm::kPieces;
  return BatchForm::kBody;
}

}  // namespace

SinkRunner::SinkRunner(std::string name, std::vector<std::unique_ptr<Sink>> sinks,
                       QueueReader& reader, SinkRunnerOptions options, Metrics& metrics,
                       const Clock& clock)
    : name_(std::move(name)),
      sinks_(std::move(sinks)),
      reader_(reader),
      options_(options),
      clock_(clock),
      encoder_(MakeEncoder(options.encoding, options.enrichment)),
      batcher_(options.batch, *encoder_, clock, FormFor(options)),
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
  // Encoders that copy each event's JSON spare a disk queue from parsing what it reads.
  reader_.SetJsonOnly(!encoder_->needs_attributes());
  metrics.AddGauge(
      "tributary_sink_circuit_open", "1 while the sink's circuit breaker is open (probing)",
      "sink=" + LabelValue(name_), [this] { return breaker_open_.load() ? 1.0 : 0.0; });
}

void SinkRunner::RecordOutcome(bool ok) {
  std::lock_guard lock(mu_);
  if (ok) {
    if (breaker_open_.exchange(false))
      spdlog::info("sink '{}': answering again; circuit breaker closed", name_);
    consecutive_failures_ = 0;
    return;
  }
  ++consecutive_failures_;
  uint64_t threshold = options_.retry.breaker_threshold;
  if (threshold > 0 && consecutive_failures_ >= threshold && !breaker_open_.exchange(true)) {
    next_probe_ = clock_.Now() + options_.retry.backoff.max;
    spdlog::error(
        "sink '{}': {} failures in a row; circuit breaker open: one probe every {} ms until it "
        "answers",
        name_, consecutive_failures_, options_.retry.backoff.max.count());
  }
}

bool SinkRunner::AwaitProbe() {
  std::unique_lock lock(mu_);
  while (breaker_open_.load()) {
    SteadyTime now = clock_.Now();
    if (now >= next_probe_) {
      next_probe_ = now + options_.retry.backoff.max;
      return true;
    }
    if (Abandoned()) return false;
    changed_.wait_for(
        lock, std::min<std::chrono::nanoseconds>(next_probe_ - now, std::chrono::milliseconds(50)));
  }
  return true;
}

SinkRunner::~SinkRunner() {
  if (batching_thread_.joinable()) Stop(clock_.Now());
}

void SinkRunner::Start() {
  for (auto& sink : sinks_)
    senders_.emplace_back([this, s = sink.get()] {
      NameThisThread("send:" + name_);
      Sender(*s);
    });
  batching_thread_ = std::thread([this] {
    NameThisThread("batch:" + name_);
    Run();
  });
}

void SinkRunner::Stop(SteadyTime deadline) {
  deadline_ns_.store(SteadyNanos(deadline));
  stopping_.store(true);
  if (batching_thread_.joinable()) batching_thread_.join();
}

bool SinkRunner::Abandoned() const {
  return stopping_.load() && SteadyNanos(clock_.Now()) >= deadline_ns_.load();
}

void SinkRunner::Run() {
  std::vector<QueuedEvent> events;
  bool cut = true;
  while (cut) {
    if (reader_.Drained() && batcher_.empty()) break;
    if (Abandoned()) break;
    // Wake for the batch deadline, or once a second to notice a stop.
    SteadyTime now = clock_.Now();
    SteadyTime wake = std::min(batcher_.Deadline(), now + std::chrono::seconds(1));
    events.clear();
    size_t room = batcher_.limits().max_events - batcher_.count();
    // Woken by the first event (its arrival starts the batch's age), then only once there
    // is enough to fill the batch (queued bytes are those of the events as received, at
    // most what they encode to) or the batch is due: not once per append.
    ReadWait wait;
    if (!batcher_.empty())
      wait = {room, batcher_.limits().max_bytes -
                        std::min(batcher_.bytes(), batcher_.limits().max_bytes)};
    reader_.Read(events, room, wake, wait);
    for (const QueuedEvent& q : events) {
      if (!batcher_.Add(*q.batch, *q.event)) {
        if (!(cut = Cut())) break;
        batcher_.Add(*q.batch, *q.event);
      }
      in_batch_.push_back(q);
      if (batcher_.Full() && !(cut = Cut())) break;
    }
    now = clock_.Now();
    // Once the buffer is closed and drained nothing more will come: cut what is left.
    if (cut && (batcher_.Due(now) || (!batcher_.empty() && reader_.Drained()))) cut = Cut();
  }
  {
    std::lock_guard lock(mu_);
    cut_all_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : senders_) t.join();
  // Everything not acknowledged now was not delivered: in the batcher, in flight, unread.
  if (uint64_t left = reader_.Stats().events; left > 0) {
    if (options_.durable_queue) {
      spdlog::warn(
          "sink '{}': {} events not delivered before the grace period ended; the disk queue "
          "keeps them for the next start",
          name_, left);
    } else {
      dropped_shutdown_.Inc(left);
      spdlog::error("sink '{}': {} events not delivered before the grace period ended (lost)",
                    name_, left);
    }
  }
}

bool SinkRunner::Cut() {
  auto flight = std::make_unique<Flight>();
  EncodedBatch& batch = flight->batch;
  batch.events = batcher_.count();
  encoder_->Describe(*in_batch_.front().batch, *in_batch_.front().event, batch.meta);
  // The same events in the same queue give the same id: on every retry, and for a disk
  // queue after a restart as long as the batch is cut at the same place.
  const QueuedEvent& first = in_batch_.front();
  batch.id =
      fmt::format("{}-{:x}-{:x}-{}", name_, first.position_hi, first.position_lo, in_batch_.size());
  std::unique_lock lock(mu_);
  // Batches written and waiting for a sync do not hold a sender.
  auto room = [&] {
    size_t busy = 0, bytes = 0;
    for (auto& f : flights_) {
      if (f->unsynced) continue;
      ++busy;
      bytes += f->batch.encoded_bytes;  // not body.size(): a sender compresses the body unlocked
    }
    return busy <= sinks_.size() || bytes < kCutAheadBytes;
  };
  while (!room()) {
    if (Abandoned()) return false;  // the batch stays in the batcher, unacknowledged
    changed_.wait_for(lock, std::chrono::milliseconds(50));
  }
  Spare next;
  if (!spares_.empty()) {
    next = std::move(spares_.back());
    spares_.pop_back();
  }
  batcher_.Take(batch, std::move(next.body));
  batch.created_ns = clock_.UnixNanos();
  flight->events = std::exchange(in_batch_, std::move(next.events));
  if (options_.records) batch.records = flight->events;
  flights_.push_back(std::move(flight));
  lock.unlock();
  changed_.notify_all();
  return true;
}

void SinkRunner::Sender(Sink& sink) {
  std::vector<Flight*> written;  // by this sender, unsynced, in queue order
  size_t written_bytes = 0;
  SteadyTime first_written{};
  while (true) {
    Flight* flight = nullptr;
    {
      std::unique_lock lock(mu_);
      auto untaken = [&] {
        for (auto& f : flights_) {
          if (!f->taken) return f.get();
        }
        return static_cast<Flight*>(nullptr);
      };
      // Wake at least once a second for the sink's time-based work, and in time to sync
      // what was written.
      std::chrono::nanoseconds wait = std::chrono::seconds(1);
      if (!written.empty()) wait = std::min(wait, first_written + kSyncEvery - clock_.Now());
      changed_.wait_for(lock, wait, [&] { return untaken() || cut_all_ || Abandoned(); });
      if (Abandoned()) break;
      flight = untaken();
      if (flight) {
        flight->taken = true;
      } else if (cut_all_ && written.empty()) {
        break;
      }
    }
    if (flight) {
      if (!Deliver(sink, *flight)) break;  // the stop deadline passed
      if (flight->unsynced) {
        if (written.empty()) first_written = clock_.Now();
        written.push_back(flight);
        written_bytes += flight->batch.size();
      } else {
        Settle(*flight);
      }
    }
    if (!written.empty() && ((!flight && cut_all_) || written_bytes >= kSyncBytes ||
                             clock_.Now() - first_written >= kSyncEvery)) {
      if (!SyncWritten(sink, written)) break;
      written_bytes = 0;
    }
    sink.Poll(clock_.Now());
  }
  // Stopped by the deadline: what is written and syncs now needs no second delivery.
  if (!written.empty() && sink.Sync().ok()) {
    for (Flight* f : written) Settle(*f);
  }
  if (Status st = sink.Close(); !st.ok())
    spdlog::error("sink '{}': close failed: {}", name_, st.message());
}

bool SinkRunner::SyncWritten(Sink& sink, std::vector<Flight*>& written) {
  Backoff backoff(options_.retry.backoff, [](uint64_t n) { return n; });
  while (true) {
    Status st = sink.Sync();
    if (st.ok()) break;
    failures_.Inc();
    auto delay = backoff.Next();
    spdlog::warn("sink '{}': sync failed: {}; writing its {} unsynced batches again in {} ms",
                 name_, st.message(), written.size(), delay.count());
    if (!Wait(delay)) return false;
    for (Flight* f : written) {
      if (!Deliver(sink, *f)) return false;
    }
  }
  for (Flight* f : written) Settle(*f);
  written.clear();
  return true;
}

void SinkRunner::Settle(Flight& flight) {
  size_t acked = 0;
  {
    std::lock_guard lock(mu_);
    flight.settled = true;
    while (!flights_.empty() && flights_.front()->settled) {
      acked += flights_.front()->batch.events;
      KeepBuffers(*flights_.front());
      flights_.pop_front();
    }
  }
  // Ack(n) counts from the oldest event, so concurrent calls need no ordering.
  if (acked > 0) reader_.Ack(acked);
  changed_.notify_all();
}

void SinkRunner::KeepBuffers(Flight& flight) {
  // Two: the batching thread takes one per batch, and settling gives one back.
  constexpr size_t kSpares = 2;
  if (spares_.size() >= kSpares) return;
  flight.batch.body.clear();
  flight.events.clear();
  spares_.push_back({std::move(flight.batch.body), std::move(flight.events)});
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

bool SinkRunner::DeadLetter(const Flight& flight, const SendResult& last, int attempts,
                            int64_t first_error_ns) {
  std::string events;
  for (const QueuedEvent& q : flight.events) {
    AppendEventJson(*q.batch, *q.event, events,
                    options_.enrichment.empty() ? nullptr : &options_.enrichment);
    events.push_back('\n');
  }
  tributary::DeadLetter letter;
  letter.id = flight.batch.id;
  letter.sink = name_;
  letter.events = flight.events.size();
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
  dead_letters_.Inc(letter.events);
  spdlog::error("sink '{}': batch {} ({} events) dead-lettered after {} attempt{}: {}", name_,
                letter.id, letter.events, attempts, attempts == 1 ? "" : "s", last.error);
  return true;
}

void SinkRunner::CompressBody(EncodedBatch& batch) {
  // A batch written again after a failed sync is compressed already.
  if (batch.compression != Compression::kNone) return;
  batch.compression = options_.records ? Compression::kNone : options_.compression;
  if (batch.compression == Compression::kNone) return;
  std::string compressed;
  if (Status st =
          Compress(options_.compression, options_.compression_level, batch.body, compressed);
      !st.ok()) {
    batch.compression = Compression::kNone;  // cannot happen with valid levels
    spdlog::error("sink '{}': {}; sending uncompressed", name_, st.message());
    return;
  }
  batch.body = std::move(compressed);
}

bool SinkRunner::Deliver(Sink& sink, Flight& flight) {
  EncodedBatch& batch = flight.batch;
  const size_t count = batch.events;
  CompressBody(batch);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  Backoff backoff(options_.retry.backoff,
                  [](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n)(rng); });
  int64_t first_error_ns = 0;
  SteadyTime first_error{};
  for (int attempt = 1;; ++attempt) {
    if (!AwaitProbe()) return false;
    attempts_.Inc();
    if (attempt > 1) retries_.Inc();
    SendResult r = sink.Send(batch);
    RecordOutcome(r.kind == SendResult::kOk);
    if (r.kind == SendResult::kOk) {
      {
        std::lock_guard lock(mu_);
        flight.unsynced = r.unsynced;
      }
      if (r.unsynced) changed_.notify_all();  // it holds no sender: the batching thread may cut
      sent_events_.Inc(count);
      sent_bytes_.Inc(batch.size());
      sent_batches_.Inc();
      return true;
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
      while (!DeadLetter(flight, r, attempt, first_error_ns)) {
        if (!Wait(backoff.Next())) return false;  // not acknowledged: a disk queue keeps it
      }
      return true;
    }
    if (breaker_open_.load()) {
      spdlog::warn("sink '{}': batch {} attempt {} failed: {}; retrying with the next probe", name_,
                   batch.id, attempt, r.error);
      continue;  // AwaitProbe paces it
    }
    auto delay = backoff.Next(r.retry_after);
    spdlog::warn("sink '{}': batch {} attempt {} failed: {}; retrying in {} ms", name_, batch.id,
                 attempt, r.error, delay.count());
    if (!Wait(delay)) {
      spdlog::error("sink '{}': gave up on batch {} ({} events) at shutdown", name_, batch.id,
                    count);
      return false;  // not acknowledged: a disk queue delivers it after the restart
    }
  }
}

}  // namespace tributary
