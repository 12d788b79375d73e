#include "sources/kafka/kafka_source.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/thread_name.h"
#include "format/json_text.h"
#include "format/kafka_binding.h"

namespace tributary {
namespace {

constexpr auto kRetryDelay = std::chrono::milliseconds(100);
// How long a revoke waits for the batch in flight before leaving it to the next owner.
constexpr auto kRevokeWait = std::chrono::seconds(10);

int64_t SteadyNanos(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Counter& SourceCounter(Metrics& m, const char* name, const char* help, const std::string& source) {
  return m.GetCounter(name, help, "source=" + LabelValue(source));
}

// The first few, then one in a thousand: a topic full of bad records must not flood the log.
bool LogThis(uint64_t n) { return n < 10 || n % 1000 == 0; }

}  // namespace

KafkaSource::KafkaSource(std::string name, KafkaSourceConfig config, const KafkaLibrary& lib,
                         const SourceContext& context)
    : name_(std::move(name)),
      config_(std::move(config)),
      lib_(lib),
      ingest_(context.ingest),
      clock_(context.clock),
      received_events_(SourceCounter(context.metrics, "tributary_source_received_events_total",
                                     "Events accepted by a source", name_)),
      records_(SourceCounter(context.metrics, "tributary_kafka_consumed_records_total",
                             "Kafka records consumed and queued (or found invalid)", name_)),
      invalid_records_(SourceCounter(context.metrics, "tributary_kafka_invalid_records_total",
                                     "Kafka records that are not events (skipped, logged)", name_)),
      commits_(SourceCounter(context.metrics, "tributary_kafka_commits_total",
                             "Offset commits that succeeded", name_)),
      commit_failures_(SourceCounter(context.metrics, "tributary_kafka_commit_failures_total",
                                     "Offset commits that failed (retried with the next)", name_)),
      rebalances_(SourceCounter(context.metrics, "tributary_kafka_rebalances_total",
                                "Partition assignments and revocations", name_)) {
  context.metrics.AddGauge(
      "tributary_kafka_lag_records",
      "Records in the assigned partitions not yet queued (as of the last commit)",
      "source=" + LabelValue(name_), [this] { return static_cast<double>(lag_.load()); });
  context.metrics.AddGauge("tributary_kafka_assigned_partitions",
                           "Partitions assigned to this consumer", "source=" + LabelValue(name_),
                           [this] { return static_cast<double>(assigned_.load()); });
}

KafkaSource::~KafkaSource() {
  if (thread_.joinable()) Stop(clock_.Now());
}

Status KafkaSource::Start() {
  // Offsets are stored and committed by us, after the queue acknowledged; a new group starts
  // from the beginning rather than skip what was produced before it existed.
  KafkaProperties settings = {
      {"bootstrap.servers", config_.brokers}, {"group.id", config_.group},
      {"enable.auto.commit", "false"},        {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
  };
  settings.insert(settings.end(), config_.properties.begin(), config_.properties.end());
  auto conf = MakeKafkaConf(lib_, "source " + name_, settings);
  if (!conf) return conf.status();
  lib_.conf_set_opaque(*conf, this);
  lib_.conf_set_rebalance_cb(*conf, &KafkaSource::OnRebalance);
  auto rk = MakeKafkaClient(lib_, RD_KAFKA_CONSUMER, *conf);
  if (!rk) return rk.status();
  rk_ = *rk;
  lib_.poll_set_consumer(rk_);
  rd_kafka_topic_partition_list_t* topics =
      lib_.topic_partition_list_new(static_cast<int>(config_.topics.size()));
  for (const std::string& t : config_.topics)
    lib_.topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = lib_.subscribe(rk_, topics);
  lib_.topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    lib_.destroy(rk_);
    rk_ = nullptr;
    return InvalidArgument(std::string("cannot subscribe: ") + lib_.err2str(err));
  }
  spdlog::info("source '{}': consuming [{}] from {} as group '{}'", name_,
               fmt::join(config_.topics, ", "), config_.brokers, config_.group);
  last_commit_ = clock_.Now();
  thread_ = std::thread([this] {
    NameThisThread("kafka:" + name_);
    Run();
  });
  return Status::Ok();
}

void KafkaSource::Stop(SteadyTime deadline) {
  deadline_ns_.store(SteadyNanos(deadline));
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void KafkaSource::Run() {
  while (!stopping_.load()) {
    SteadyTime now = clock_.Now();
    if (in_flight_) AwaitFlight(now);
    if (!in_flight_ && !held_.empty() && now >= retry_at_) {
      // Take what librdkafka already fetched: one batch per round, however fast it comes.
      while (!refused_ && !Full()) {
        rd_kafka_message_t* m = lib_.consumer_poll(rk_, 0);
        if (!m) break;
        Hold(m);
      }
      Cut();
    }
    SetPaused(refused_);  // a full queue: stop fetching, keep serving the group
    if (now - last_commit_ >= config_.commit_interval) Commit();
    if (in_flight_ && Full()) {
      AwaitFlight(now + std::chrono::milliseconds(100));
      continue;
    }
    // While a batch is in flight, poll briefly so that its answer is seen soon.
    int timeout_ms = in_flight_ ? 1 : 100;
    if (rd_kafka_message_t* m = lib_.consumer_poll(rk_, timeout_ms)) Hold(m);
  }
  // Leave as a revoke does: what was not queued is consumed again after a restart.
  Revoke();
  lib_.consumer_close(rk_);  // leaves the group; its own revoke finds nothing left to do
  lib_.destroy(rk_);
  rk_ = nullptr;
}

void KafkaSource::Hold(rd_kafka_message_t* m) {
  if (m->err) {
    // Errors arrive as messages: a missing topic, a broker gone; librdkafka recovers.
    if (LogThis(kafka_errors_++))
      spdlog::warn("source '{}': Kafka: {}", name_, lib_.err2str(m->err));
    lib_.message_destroy(m);
    return;
  }
  held_.push_back(m);
  held_bytes_ += m->len;
}

bool KafkaSource::Full() const {
  return held_.size() >= config_.max_batch_records || held_bytes_ >= config_.max_batch_bytes;
}

size_t KafkaSource::PartitionIndex(std::string_view topic, int32_t partition) {
  for (size_t i = 0; i < partitions_.size(); ++i) {
    if (partitions_[i].partition == partition && partitions_[i].topic == topic) return i;
  }
  partitions_.push_back({std::string(topic), partition});
  return partitions_.size() - 1;
}

void KafkaSource::Cut() {
  auto flight = std::make_shared<Flight>();
  size_t bytes = 0;
  while (!held_.empty() && flight->records.size() < batch_limit_) {
    flight->records.push_back(held_.front());
    bytes += held_.front()->len;
    held_.pop_front();
  }
  held_bytes_ -= bytes;
  // One buffer for all values: the events are views into it, as into a request body.
  std::string input;
  input.reserve(bytes + simdjson::SIMDJSON_PADDING);
  for (rd_kafka_message_t* m : flight->records)
    input.append(static_cast<const char*>(m->payload), m->len);
  flight->batch = std::make_shared<EventBatch>(std::move(input));
  EventBatch& batch = *flight->batch;
  batch.received_ns = clock_.UnixNanos();
  ParseOptions opts;
  opts.max_event_bytes = config_.max_event_bytes;
  opts.mapping = &config_.mapping;
  opts.receive_ns = batch.received_ns;
  std::vector<EventError> errors;
  size_t at = 0;
  for (rd_kafka_message_t* m : flight->records) {
    headers_.clear();
    rd_kafka_headers_t* hdrs = nullptr;
    if (lib_.message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; lib_.header_get_all(hdrs, i, &name, &value, &size) == 0; ++i)
        headers_.push_back({name, {static_cast<const char*>(value), value ? size : 0}});
    }
    std::string_view topic = lib_.topic_name(m->rkt);
    KafkaRecordView record{topic,
                           {static_cast<const char*>(m->key), m->key ? m->key_len : 0},
                           std::string_view(batch.input()).substr(at, m->len),
                           headers_};
    at += m->len;
    errors.clear();
    if (Status st = DecodeKafkaRecord(record, batch, opts, errors); !st.ok()) {
      if (LogThis(invalid_logged_++))
        spdlog::warn("source '{}': skipped record {}[{}]@{}: {}{}", name_, topic, m->partition,
                     m->offset, errors.empty() ? st.message() : errors.front().message,
                     errors.empty() || errors.front().attribute.empty()
                         ? ""
                         : " (attribute " + errors.front().attribute + ")");
      ++flight->invalid;
    }
    size_t p = PartitionIndex(topic, m->partition);
    bool found = false;
    for (auto& [index, next] : flight->offsets) {
      if (index == p) {
        next = std::max(next, m->offset + 1);
        found = true;
      }
    }
    if (!found) flight->offsets.emplace_back(p, m->offset + 1);
  }
  if (batch.size() == 0) {
    Acknowledge(*flight);  // only invalid records: nothing to queue, nothing to wait for
    return;
  }
  in_flight_ = std::move(flight);
  Submit(in_flight_);
}

void KafkaSource::Submit(const std::shared_ptr<Flight>& flight) {
  // The callback may come on another thread, and after this source is gone (a stop that
  // did not wait): it touches only the flight.
  ingest_.Submit(flight->batch, [flight](AppendOutcome o) {
    std::lock_guard lock(flight->mu);
    flight->outcome = std::move(o);
    flight->done = true;
    flight->answered.notify_all();
  });
}

bool KafkaSource::AwaitFlight(SteadyTime until) {
  if (!in_flight_) return true;
  std::shared_ptr<Flight> f = in_flight_;
  {
    std::unique_lock lock(f->mu);
    f->answered.wait_until(lock, until, [&] { return f->done; });
    if (!f->done) return false;
  }
  in_flight_.reset();
  if (f->outcome.status.ok()) {
    received_events_.Inc(f->batch->size());
    Acknowledge(*f);
    refused_ = false;
    batch_limit_ = std::min<size_t>(batch_limit_ * 2, config_.max_batch_records);
    return true;
  }
  // Refused: its records go back in front, nothing after them goes first; a batch too large
  // for the room a full queue has is cut again, smaller.
  if (f->outcome.full) {
    if (LogThis(refusals_++))
      spdlog::warn("source '{}': {}; consuming pauses until there is room", name_,
                   f->outcome.status.message());
  } else {
    spdlog::error("source '{}': queueing failed: {}; retrying", name_, f->outcome.status.message());
  }
  batch_limit_ = std::max<size_t>(1, f->records.size() / 2);
  for (auto it = f->records.rbegin(); it != f->records.rend(); ++it) {
    held_.push_front(*it);
    held_bytes_ += (*it)->len;
  }
  f->records.clear();
  refused_ = true;
  retry_at_ = clock_.Now() + kRetryDelay;
  return true;
}

void KafkaSource::Destroy(std::vector<rd_kafka_message_t*>& records) {
  for (rd_kafka_message_t* m : records) lib_.message_destroy(m);
  records.clear();
}

void KafkaSource::Acknowledge(Flight& flight) {
  records_.Inc(flight.records.size());
  invalid_records_.Inc(flight.invalid);
  Destroy(flight.records);
  for (const auto& [index, next] : flight.offsets) {
    if (index < partitions_.size())
      partitions_[index].acked = std::max(partitions_[index].acked, next);
  }
}

void KafkaSource::Commit() {
  last_commit_ = clock_.Now();
  rd_kafka_topic_partition_list_t* list =
      lib_.topic_partition_list_new(static_cast<int>(partitions_.size()));
  for (const Partition& p : partitions_) {
    if (p.acked > p.committed)
      lib_.topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset = p.acked;
  }
  if (list->cnt > 0) {
    rd_kafka_resp_err_t err = lib_.commit(rk_, list, 0);  // synchronous: we count the outcome
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      commits_.Inc();
      for (Partition& p : partitions_) p.committed = std::max(p.committed, p.acked);
    } else {
      commit_failures_.Inc();
      spdlog::warn("source '{}': committing offsets failed: {}; retrying with the next commit",
                   name_, lib_.err2str(err));
    }
  }
  lib_.topic_partition_list_destroy(list);
  int64_t lag = 0;
  for (const Partition& p : partitions_) {
    int64_t low = -1, high = -1;
    if (p.acked >= 0 &&
        lib_.get_watermark_offsets(rk_, p.topic.c_str(), p.partition, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= p.acked)
      lag += high - p.acked;
  }
  lag_.store(lag);
}

void KafkaSource::SetPaused(bool paused) {
  if (paused == paused_ || partitions_.empty()) return;
  rd_kafka_topic_partition_list_t* list =
      lib_.topic_partition_list_new(static_cast<int>(partitions_.size()));
  for (const Partition& p : partitions_)
    lib_.topic_partition_list_add(list, p.topic.c_str(), p.partition);
  if (paused)
    lib_.pause_partitions(rk_, list);
  else
    lib_.resume_partitions(rk_, list);
  lib_.topic_partition_list_destroy(list);
  paused_ = paused;
}

void KafkaSource::DropHeld() {
  for (rd_kafka_message_t* m : held_) lib_.message_destroy(m);
  held_.clear();
  held_bytes_ = 0;
}

void KafkaSource::Revoke() {
  // What was queued is committed; what was not (held, refused, or a flight that does not
  // answer in time) is consumed again by the partitions' next owner.
  SteadyTime until = std::min(clock_.Now() + kRevokeWait,
                              SteadyTime(std::chrono::nanoseconds(deadline_ns_.load())));
  if (!AwaitFlight(until)) {
    Destroy(in_flight_->records);
    in_flight_.reset();
  }
  refused_ = false;
  retry_at_ = {};
  DropHeld();
  Commit();
  partitions_.clear();
  paused_ = false;
  lag_.store(0);
}

void KafkaSource::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  self->rebalances_.Inc();
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Fetching starts at each partition's committed offset.
    self->lib_.assign(rk, partitions);
    for (int i = 0; i < partitions->cnt; ++i)
      self->PartitionIndex(partitions->elems[i].topic, partitions->elems[i].partition);
    self->assigned_.store(partitions->cnt);
    spdlog::info("source '{}': assigned {} partition{}", self->name_, partitions->cnt,
                 partitions->cnt == 1 ? "" : "s");
  } else {
    self->Revoke();
    self->lib_.assign(rk, nullptr);
    self->assigned_.store(0);
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      spdlog::info("source '{}': partitions revoked (a rebalance)", self->name_);
    } else {
      spdlog::error("source '{}': rebalance failed: {}", self->name_, self->lib_.err2str(err));
    }
  }
}

}  // namespace tributary
