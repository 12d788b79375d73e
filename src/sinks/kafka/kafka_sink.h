#pragma once
// The kafka sink: each event of a batch becomes one record, in the CloudEvents Kafka
// binding's binary mode (`ce_` headers and `content-type`, the value is `data`) or
// structured mode (the value is the event as JSON). Topic and key come from templates.
// The producer is idempotent with acks=all; a batch succeeds once every record's delivery
// report did. A retry of the same batch produces only the records not yet delivered.

#include <atomic>
#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "format/attribute_template.h"
#include "kafka/kafka_client.h"
#include "sinks/sink.h"

namespace tributary {

struct KafkaSinkConfig {
  std::string brokers;                        // bootstrap.servers
  std::string topic = "events";               // template
  std::string key = "{partitionkey}";         // template; empty expansion = no key
  std::chrono::milliseconds timeout{30'000};  // a record's whole delivery, retries included
  KafkaProperties properties;                 // librdkafka's own, applied last
};

class KafkaSink final : public Sink {
 public:
  // Creates the producer (it connects in the background). Errors name the bad property.
  static Result<std::unique_ptr<KafkaSink>> Make(const KafkaLibrary& lib,
                                                 const KafkaSinkConfig& config,
                                                 const SinkBuildContext& context);
  ~KafkaSink() override;

  SendResult Send(const EncodedBatch& batch) override;
  Status Close() override;

 private:
  KafkaSink(const KafkaLibrary& lib, const KafkaSinkConfig& config, const SinkBuildContext& context,
            AttributeTemplate topic, AttributeTemplate key);
  Status Connect();
  void Disconnect();
  static void OnDeliveryReport(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
  // Keys by murmur2 (as the Java clients place them); records without a key round-robin.
  static int32_t Partition(const rd_kafka_topic_t* rkt, const void* key, size_t size,
                           int32_t partitions, void* topic_opaque, void* record_opaque);
  // Produces record `i`; false (the failure noted) if librdkafka refused it at once.
  bool Produce(const EncodedBatch& batch, size_t i);
  void FailKafka(rd_kafka_resp_err_t err, std::string_view topic);
  void Fail(bool retryable, std::string error);
  rd_kafka_topic_t* Topic(const std::string& name);
  rd_kafka_headers_t* Headers(const EventBatch& batch, const Event& event);

  const KafkaLibrary& lib_;
  const std::string name_;
  const KafkaProperties settings_;  // our defaults, then the user's properties
  const AttributeTemplate topic_;
  const AttributeTemplate key_;
  const bool binary_;
  const Enrichment enrichment_;
  const std::chrono::milliseconds timeout_;
  const bool own_partitioner_;               // unless the properties name a `partitioner`
  std::atomic<uint32_t> next_partition_{0};  // for records without a key
  rd_kafka_t* rk_ = nullptr;
  std::unordered_map<std::string, rd_kafka_topic_t*> topics_;

  // The batch being delivered: which records made it, across retries of the same batch.
  std::string batch_id_;
  std::vector<bool> delivered_;
  size_t pending_ = 0;  // produced, delivery report not yet in
  size_t failed_ = 0;
  bool retryable_ = false;  // some failure is worth retrying
  std::string first_error_;
  std::string topic_buf_, key_buf_, header_buf_;  // reused per record
};

}  // namespace tributary
