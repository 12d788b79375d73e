#include "sinks/kafka/kafka_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tributary {
namespace {

constexpr std::string_view kStructuredType = "application/cloudevents+json; charset=utf-8";

std::string_view Codec(Compression c) {
  return c == Compression::kGzip ? "gzip" : c == Compression::kZstd ? "zstd" : "none";
}

}  // namespace

Result<std::unique_ptr<KafkaSink>> KafkaSink::Make(const KafkaLibrary& lib,
                                                   const KafkaSinkConfig& config,
                                                   const SinkBuildContext& context) {
  auto topic = AttributeTemplate::Parse(config.topic);
  if (!topic) return Status(topic.status().code(), "`topic`: " + topic.status().message());
  auto key = AttributeTemplate::Parse(config.key);
  if (!key) return Status(key.status().code(), "`key`: " + key.status().message());
  std::unique_ptr<KafkaSink> sink(
      new KafkaSink(lib, config, context, std::move(*topic), std::move(*key)));
  TRIBUTARY_RETURN_IF_ERROR(sink->Connect());
  return sink;
}

KafkaSink::KafkaSink(const KafkaLibrary& lib, const KafkaSinkConfig& config,
                     const SinkBuildContext& context, AttributeTemplate topic,
                     AttributeTemplate key)
    : lib_(lib),
      name_(context.name),
      settings_([&] {
        // Idempotence keeps librdkafka's own retries from duplicating or reordering records.
        KafkaProperties s = {
            {"bootstrap.servers", config.brokers},
            {"enable.idempotence", "true"},
            {"acks", "all"},
            {"compression.codec", std::string(Codec(context.compression))},
            {"message.timeout.ms", std::to_string(config.timeout.count())},
            {"linger.ms", "5"},
        };
        s.insert(s.end(), config.properties.begin(), config.properties.end());
        return s;
      }()),
      topic_(std::move(topic)),
      key_(std::move(key)),
      binary_(context.encoding == Encoding::kCloudEventsBinary),
      enrichment_(context.enrichment),
      timeout_(config.timeout),
      own_partitioner_(std::none_of(config.properties.begin(), config.properties.end(),
                                    [](const auto& p) { return p.first == "partitioner"; })) {}

KafkaSink::~KafkaSink() { Disconnect(); }

Status KafkaSink::Connect() {
  auto conf = MakeKafkaConf(lib_, "sink " + name_, settings_);
  if (!conf) return conf.status();
  lib_.conf_set_opaque(*conf, this);
  lib_.conf_set_dr_msg_cb(*conf, &KafkaSink::OnDeliveryReport);
  if (own_partitioner_) {
    // Else librdkafka sends keyless records to a "sticky" partition instead of asking us.
    char err[256];
    lib_.conf_set(*conf, "sticky.partitioning.linger.ms", "0", err, sizeof err);
    rd_kafka_topic_conf_t* topic_conf = lib_.conf_get_default_topic_conf(*conf);
    if (!topic_conf) {
      topic_conf = lib_.topic_conf_new();
      lib_.conf_set_default_topic_conf(*conf, topic_conf);  // which owns it now
    }
    lib_.topic_conf_set_opaque(topic_conf, this);
    lib_.topic_conf_set_partitioner_cb(topic_conf, &KafkaSink::Partition);
  }
  auto rk = MakeKafkaClient(lib_, RD_KAFKA_PRODUCER, *conf);
  if (!rk) return rk.status();
  rk_ = *rk;
  return Status::Ok();
}

void KafkaSink::Disconnect() {
  for (auto& [name, rkt] : topics_) lib_.topic_destroy(rkt);
  topics_.clear();
  if (rk_) lib_.destroy(rk_);
  rk_ = nullptr;
}

rd_kafka_topic_t* KafkaSink::Topic(const std::string& name) {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  rd_kafka_topic_t* rkt = lib_.topic_new(rk_, name.c_str(), nullptr);
  if (rkt) topics_.emplace(name, rkt);
  return rkt;
}

rd_kafka_headers_t* KafkaSink::Headers(const EventBatch& batch, const Event& e) {
  rd_kafka_headers_t* h = lib_.headers_new(binary_ ? 8 : 1);
  if (!binary_) {
    lib_.header_add(h, "content-type", -1, kStructuredType.data(),
                    static_cast<ssize_t>(kStructuredType.size()));
    return h;
  }
  ForEachAttribute(batch, e, enrichment_.empty() ? nullptr : &enrichment_,
                   [&](std::string_view name, std::string_view value, AttrKind) {
                     if (name == "datacontenttype") return;
                     header_buf_.assign("ce_").append(name);
                     lib_.header_add(h, header_buf_.data(),
                                     static_cast<ssize_t>(header_buf_.size()), value.data(),
                                     static_cast<ssize_t>(value.size()));
                   });
  if (std::string_view ct = BinaryContentType(e); !ct.empty())
    lib_.header_add(h, "content-type", -1, ct.data(), static_cast<ssize_t>(ct.size()));
  return h;
}

void KafkaSink::Fail(bool retryable, std::string error) {
  ++failed_;
  retryable_ |= retryable;
  if (first_error_.empty()) first_error_ = std::move(error);
}

void KafkaSink::FailKafka(rd_kafka_resp_err_t err, std::string_view topic) {
  Fail(IsRetryableKafkaError(err),
       fmt::format("topic {}: {} ({})", topic, lib_.err2str(err), static_cast<int>(err)));
}

bool KafkaSink::Produce(const EncodedBatch& batch, size_t i) {
  const QueuedEvent& q = batch.records[i];
  topic_buf_.clear();
  const Enrichment* en = enrichment_.empty() ? nullptr : &enrichment_;
  topic_.Expand(*q.batch, *q.event, en, topic_buf_);
  if (!IsValidKafkaTopic(topic_buf_)) {
    Fail(false,
         fmt::format("the topic template gave \"{}\", which is not a Kafka topic name (1 to 249 "
                     "of a-z A-Z 0-9 . _ -); event id {}",
                     topic_buf_, q.event->id));
    return false;
  }
  rd_kafka_topic_t* rkt = Topic(topic_buf_);
  if (!rkt) {
    Fail(false, fmt::format("librdkafka refused topic \"{}\"", topic_buf_));
    return false;
  }
  key_buf_.clear();
  key_.Expand(*q.batch, *q.event, en, key_buf_);
  size_t begin = i == 0 ? 0 : batch.record_ends[i - 1];
  size_t size = batch.record_ends[i] - begin;
  // The value is not copied: the batch outlives Send, which waits for every report.
  void* value = size ? const_cast<char*>(batch.body.data() + begin) : nullptr;
  rd_kafka_headers_t* headers = Headers(*q.batch, *q.event);
  while (true) {
    rd_kafka_resp_err_t err = lib_.producev(
        rk_, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_VALUE(value, size),
        RD_KAFKA_V_KEY(key_buf_.empty() ? nullptr : key_buf_.data(), key_buf_.size()),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(i)), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++pending_;  // librdkafka owns the headers now
      return true;
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      lib_.poll(rk_, 10);  // serve delivery reports until there is room
      continue;
    }
    lib_.headers_destroy(headers);
    FailKafka(err, topic_buf_);
    return false;
  }
}

int32_t KafkaSink::Partition(const rd_kafka_topic_t* rkt, const void* key, size_t size,
                             int32_t partitions, void* topic_opaque, void* record_opaque) {
  // Murmur2 places keys as the Java clients do, so producers in any language agree.
  auto* self = static_cast<KafkaSink*>(topic_opaque);
  if (size == 0) return static_cast<int32_t>(self->next_partition_++ % partitions);
  return self->lib_.partitioner_murmur2_random(rkt, key, size, partitions, topic_opaque,
                                               record_opaque);
}

void KafkaSink::OnDeliveryReport(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  auto i = reinterpret_cast<size_t>(m->_private);
  --self->pending_;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->delivered_[i] = true;
  } else {
    self->FailKafka(m->err, self->lib_.topic_name(m->rkt));
  }
}

SendResult KafkaSink::Send(const EncodedBatch& batch) {
  if (!rk_) {
    if (Status st = Connect(); !st.ok()) return SendResult::Retry(st.message());
  }
  const size_t n = batch.records.size();
  if (batch.id != batch_id_) {
    batch_id_ = batch.id;
    delivered_.assign(n, false);
  }
  failed_ = 0;
  retryable_ = false;
  first_error_.clear();
  for (size_t i = 0; i < n; ++i) {
    if (!delivered_[i]) Produce(batch, i);
  }
  // Reports are served here, on the sender's thread; message.timeout.ms bounds the wait.
  while (pending_ > 0) lib_.poll(rk_, 100);

  char reason[512];
  if (rd_kafka_resp_err_t fatal = lib_.fatal_error(rk_, reason, sizeof reason)) {
    // The idempotent producer cannot go on (e.g. its sequence was lost): start a new one.
    spdlog::error("sink '{}': the Kafka producer failed for good ({}: {}); starting a new one",
                  name_, lib_.err2str(fatal), reason);
    Disconnect();
  }
  if (failed_ == 0) return SendResult::Ok();
  std::string error =
      fmt::format("{} of {} records not delivered; first: {}", failed_, n, first_error_);
  return retryable_ ? SendResult::Retry(std::move(error)) : SendResult::Permanent(std::move(error));
}

Status KafkaSink::Close() {
  if (rk_ && lib_.flush(rk_, static_cast<int>(timeout_.count())) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return IoError("records still unacknowledged when the producer closed");
  Disconnect();
  return Status::Ok();
}

}  // namespace tributary
