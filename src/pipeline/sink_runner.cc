#include "pipeline/sink_runner.h"

#include <spdlog/spdlog.h>

#include <random>

namespace tributary {
namespace {

int64_t SteadyNanos(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

SinkRunner::SinkRunner(std::string name, std::unique_ptr<Sink> sink, QueueReader& reader,
                       SinkRunnerOptions options, Metrics& metrics, const Clock& clock)
    : name_(std::move(name)),
      sink_(std::move(sink)),
      reader_(reader),
      options_(options),
      clock_(clock),
      encoder_(MakeEncoder(options.encoding)),
      batcher_(options.batch, *encoder_, clock),
      sent_events_(metrics.GetCounter("tributary_sink_sent_events_total",
                                      "Events delivered by the sink", "sink=" + LabelValue(name_))),
      sent_bytes_(metrics.GetCounter("tributary_sink_sent_bytes_total",
                                     "Bytes delivered by the sink (after compression)",
                                     "sink=" + LabelValue(name_))),
      sent_batches_(metrics.GetCounter("tributary_sink_sent_batches_total",
                                       "Batches delivered by the sink",
                                       "sink=" + LabelValue(name_))),
      failures_(metrics.GetCounter("tributary_sink_failures_total", "Failed delivery attempts",
                                   "sink=" + LabelValue(name_))),
      retries_(metrics.GetCounter("tributary_sink_retries_total",
                                  "Delivery attempts that were retries",
                                  "sink=" + LabelValue(name_))),
      dropped_permanent_(
          metrics.GetCounter("tributary_dropped_events_total", "Events not delivered, by reason",
                             "reason=\"permanent_error\",sink=" + LabelValue(name_))),
      dropped_shutdown_(metrics.GetCounter("tributary_dropped_events_total",
                                           "Events not delivered, by reason",
                                           "reason=\"shutdown\",sink=" + LabelValue(name_))) {}

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
    spdlog::error("sink '{}': {} queued events were not delivered before the grace period ended",
                  name_, left.events - batcher_.count());
  }
  if (Status st = sink_->Close(); !st.ok()) {
    spdlog::error("sink '{}': close failed: {}", name_, st.message());
  }
}

void SinkRunner::Flush() {
  size_t count = batcher_.count();
  EncodedBatch batch;
  std::string encoded = batcher_.Take();
  batch.events = count;
  batch.encoded_bytes = encoded.size();
  batch.content_type = encoder_->content_type();
  batch.compression = options_.compression;
  batch.created_ns = clock_.UnixNanos();
  if (options_.compression == Compression::kNone) {
    batch.body = std::move(encoded);
  } else if (Status st =
                 Compress(options_.compression, options_.compression_level, encoded, batch.body);
             !st.ok()) {
    spdlog::error("sink '{}': {}", name_, st.message());
    dropped_permanent_.Inc(count);
    reader_.Ack(count);
    return;
  }

  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto backoff = options_.retry.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    SendResult r = sink_->Send(batch);
    if (r.kind == SendResult::kOk) {
      sent_events_.Inc(count);
      sent_bytes_.Inc(batch.body.size());
      sent_batches_.Inc();
      break;
    }
    failures_.Inc();
    if (r.kind == SendResult::kPermanent) {
      spdlog::error("sink '{}': batch of {} events failed permanently: {}", name_, count, r.error);
      dropped_permanent_.Inc(count);
      break;
    }
    // Full jitter: sleep a random time in [0, backoff], or what the server asked for.
    auto delay = r.retry_after.count() > 0
                     ? std::min(r.retry_after, options_.retry.max_backoff)
                     : std::chrono::milliseconds(
                           std::uniform_int_distribution<int64_t>(0, backoff.count())(rng));
    spdlog::warn("sink '{}': attempt {} failed: {}; retrying in {} ms", name_, attempt, r.error,
                 delay.count());
    backoff = std::min(backoff * 2, options_.retry.max_backoff);
    SteadyTime until = clock_.Now() + delay;
    while (clock_.Now() < until) {
      if (Abandoned()) {
        dropped_shutdown_.Inc(count);
        spdlog::error("sink '{}': gave up on a batch of {} events at shutdown", name_, count);
        reader_.Ack(count);
        return;
      }
      std::this_thread::sleep_for(
          std::min<std::chrono::nanoseconds>(until - clock_.Now(), std::chrono::milliseconds(50)));
    }
    retries_.Inc();
  }
  reader_.Ack(count);
}

}  // namespace tributary
