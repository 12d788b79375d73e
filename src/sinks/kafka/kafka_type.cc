#include "sinks/kafka/kafka_type.h"

#include "sinks/kafka/kafka_sink.h"

namespace tributary {
namespace {

const OptionTable<KafkaSinkConfig>& Table() {
  static const auto* t =
      &(*new OptionTable<KafkaSinkConfig>())
           .String("brokers", &KafkaSinkConfig::brokers,
                   "Bootstrap brokers, `host:port` separated by commas. Required.")
           .String("topic", &KafkaSinkConfig::topic,
                   "Topic template: `{name}` is an attribute (e.g. `events.{type}`), `{/a/b}` a "
                   "JSON pointer into `data`; characters outside `a-zA-Z0-9._-` make the record "
                   "fail permanently (dead-lettered).")
           .String("key", &KafkaSinkConfig::key,
                   "Record key template, same placeholders; records with the same key go to the "
                   "same partition (murmur2, as the Java clients), in order. Empty = no key "
                   "(round-robin over partitions).")
           .Duration("timeout", &KafkaSinkConfig::timeout,
                     "How long a record may take to be acknowledged by the brokers, librdkafka's "
                     "own retries included (`message.timeout.ms`); then the batch is retried.")
           .StringMap("properties", &KafkaSinkConfig::properties,
                      "librdkafka producer properties, applied last, e.g. `{ \"linger.ms\" = "
                      "\"20\", \"compression.codec\" = \"lz4\", \"security.protocol\" = "
                      "\"ssl\" }`.");
  return *t;
}

void Validate(const KafkaSinkConfig& c, const toml::table& table, const ConfigContext& ctx) {
  if (c.brokers.empty())
    ctx.Fail(&table,
             "the kafka sink needs `brokers`, e.g. brokers = \"kafka-1:9092,kafka-2:9092\"");
  if (auto t = AttributeTemplate::Parse(c.topic); !t)
    ctx.Fail(table.get("topic"), t.status().message());
  if (auto t = AttributeTemplate::Parse(c.key); !t)
    ctx.Fail(table.get("key"), t.status().message());
  if (Status st = CheckKafkaProperties(c.properties); !st.ok())
    ctx.Fail(table.get("properties"), st.message());
}

Result<std::unique_ptr<Sink>> Build(const KafkaSinkConfig& c, const SinkBuildContext& context) {
  auto lib = LoadKafka();
  if (!lib) return lib.status();
  auto sink = KafkaSink::Make(**lib, c, context);
  if (!sink) return sink.status();
  return std::unique_ptr<Sink>(std::move(*sink));
}

}  // namespace

const SinkType& KafkaSinkType() {
  static const TableSinkType<KafkaSinkConfig> kType(
      "kafka",
      "Produces each event as one Kafka record (CloudEvents Kafka binding, binary mode by "
      "default), with an idempotent producer and acks=all.",
      Table(), Validate, Build,
      SinkTraits{.encoding = "cloudevents-binary",
                 .compression = "zstd",
                 .concurrent = true,
                 .messages = true,
                 .records = true});
  return kType;
}

}  // namespace tributary
