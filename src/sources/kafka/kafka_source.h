#pragma once
// The kafka source: a consumer in a consumer group. Records are decoded with the CloudEvents
// Kafka binding (format/kafka_binding.h) into one batch per poll round and handed to Ingest,
// one batch at a time so that each partition's records are queued in order. A record's
// offset is committed only once Ingest reported its events queued (durably, for disk
// queues): a crash at any point redelivers, never skips. The group uses the eager rebalance
// protocol: on a revoke, the batch in flight is waited for, what is queued is committed,
// and the rest is left to the partitions' next owner.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kafka/kafka_client.h"
#include "sources/source.h"

namespace tributary {

struct KafkaSourceConfig {
  std::string brokers;              // bootstrap.servers
  std::string group = "tributary";  // group.id
  std::vector<std::string> topics;  // names, or regular expressions starting with ^
  uint64_t max_batch_records = 5000;
  uint64_t max_batch_bytes = 8ull << 20;
  std::chrono::milliseconds commit_interval{1000};
  uint64_t max_event_bytes = 1ull << 20;
  JsonMapping mapping;
  KafkaProperties properties;  // librdkafka's own, applied last
};

class KafkaSource final : public Source {
 public:
  KafkaSource(std::string name, KafkaSourceConfig config, const KafkaLibrary& lib,
              const SourceContext& context);
  ~KafkaSource() override;

  Status Start() override;
  void Stop(SteadyTime deadline) override;

 private:
  struct Partition {
    std::string topic;
    int32_t partition;
    int64_t acked = -1;      // the next offset whose records are all queued
    int64_t committed = -1;  // the offset last committed
  };
  // A batch handed to Ingest, until Ingest answers (on its own thread). Its records are kept
  // so that a batch a full queue refused can be cut again, smaller.
  struct Flight {
    EventBatchPtr batch;
    std::vector<rd_kafka_message_t*> records;
    std::vector<std::pair<size_t, int64_t>> offsets;  // partition index, next offset
    size_t invalid = 0;
    std::mutex mu;
    std::condition_variable answered;
    bool done = false;
    AppendOutcome outcome;
  };

  void Run();
  void Hold(rd_kafka_message_t* m);
  bool Full() const;
  // Decodes up to batch_limit_ held records into a batch and submits it (or settles it at
  // once if it has no events).
  void Cut();
  void Submit(const std::shared_ptr<Flight>& flight);
  // Waits up to `until` for the flight in progress; applies its offsets if it succeeded,
  // puts its records back in front if it was refused. False if it is still unanswered.
  bool AwaitFlight(SteadyTime until);
  void Acknowledge(Flight& flight);
  void Destroy(std::vector<rd_kafka_message_t*>& records);
  void Commit();
  void SetPaused(bool paused);
  size_t PartitionIndex(std::string_view topic, int32_t partition);
  void DropHeld();
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void Revoke();

  const std::string name_;
  const KafkaSourceConfig config_;
  const KafkaLibrary& lib_;
  Ingest& ingest_;
  const Clock& clock_;
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> deadline_ns_{INT64_MAX};  // steady clock, for the stop deadline

  // The consumer thread's own state.
  std::vector<Partition> partitions_;     // assigned
  std::deque<rd_kafka_message_t*> held_;  // in offset order per partition
  size_t held_bytes_ = 0;
  std::shared_ptr<Flight> in_flight_;
  // A full queue refused the last batch: fetching pauses, and the records are cut again at
  // retry_at_ in batches half as large, until one fits; then the limit grows back.
  bool refused_ = false;
  SteadyTime retry_at_{};
  size_t batch_limit_ = config_.max_batch_records;
  bool paused_ = false;
  SteadyTime last_commit_{};
  std::vector<HeaderField> headers_;                               // reused per record
  uint64_t kafka_errors_ = 0, refusals_ = 0, invalid_logged_ = 0;  // for rate-limited logs

  std::atomic<int64_t> lag_{0};
  std::atomic<int64_t> assigned_{0};
  Counter& received_events_;
  Counter& records_;
  Counter& invalid_records_;
  Counter& commits_;
  Counter& commit_failures_;
  Counter& rebalances_;
};

}  // namespace tributary
