#include "sources/kafka/kafka_type.h"

#include "config/tables.h"
#include "sources/kafka/kafka_source.h"

namespace tributary {
namespace {

const OptionTable<KafkaSourceConfig>& Table() {
  static const auto* t =
      &(*new OptionTable<KafkaSourceConfig>())
           .String("brokers", &KafkaSourceConfig::brokers,
                   "Bootstrap brokers, `host:port` separated by commas. Required.")
           .String("group", &KafkaSourceConfig::group,
                   "Consumer group: collectors in one group share the partitions.")
           .StringList("topics", &KafkaSourceConfig::topics,
                       "Topics to consume; a name starting with `^` is a regular expression. "
                       "Required.")
           .Integer("max_batch_records", &KafkaSourceConfig::max_batch_records, 1, 1'000'000,
                    "Records handed to the queues at once, at most.")
           .Size("max_batch_bytes", &KafkaSourceConfig::max_batch_bytes,
                 "Record bytes handed to the queues at once, at most.")
           .Duration("commit_interval", &KafkaSourceConfig::commit_interval,
                     "How often the offsets of queued records are committed (also on every "
                     "rebalance and at shutdown).")
           .Size("max_event_bytes", &KafkaSourceConfig::max_event_bytes,
                 "Largest single event; larger records are skipped (counted, logged).")
           .Table("mapping", &KafkaSourceConfig::mapping, MappingTable(),
                  "How records that are plain JSON become CloudEvents "
                  "(`[sources.NAME.mapping]`):")
           .StringMap("properties", &KafkaSourceConfig::properties,
                      "librdkafka consumer properties, applied last, e.g. "
                      "`{ \"session.timeout.ms\" = \"10000\", \"security.protocol\" = \"ssl\" }`.");
  return *t;
}

void Parse(const toml::table& t, const ConfigContext& ctx, SourceConfig& s) {
  KafkaSourceConfig c;
  Table().Parse(&t, c, ctx, {"type"});
  if (c.brokers.empty())
    ctx.Fail(&t, "the kafka source needs `brokers`, e.g. brokers = \"kafka-1:9092,kafka-2:9092\"");
  if (c.topics.empty()) ctx.Fail(&t, "the kafka source needs `topics`, e.g. topics = [\"events\"]");
  if (c.group.empty()) ctx.Fail(t.get("group"), "`group` must not be empty");
  for (const auto& [k, v] : c.properties) {
    // The revoke path commits and gives up everything (the eager protocol).
    if (k == "partition.assignment.strategy" && v.find("cooperative") != std::string::npos)
      ctx.Fail(t.get("properties"),
               "the kafka source uses the eager rebalance protocol; use \"range\" or "
               "\"roundrobin\", not \"cooperative-sticky\"");
    if (k == "enable.auto.commit" || k == "enable.auto.offset.store")
      ctx.Fail(t.get("properties"), "`" + k +
                                        "` cannot be set: offsets are committed only after the "
                                        "queues acknowledged the records");
  }
  if (Status st = CheckKafkaProperties(c.properties); !st.ok())
    ctx.Fail(t.get("properties"), st.message());
  s.build = [name = s.name, c](const SourceContext& context) -> Result<std::unique_ptr<Source>> {
    auto lib = LoadKafka();
    if (!lib) return lib.status();
    return std::unique_ptr<Source>(std::make_unique<KafkaSource>(name, c, **lib, context));
  };
}

void Document(std::string& md, const std::string& path) { Table().Document(md, path); }

}  // namespace

const SourceType& KafkaSourceType() {
  static const SourceType kType{
      "kafka",
      "Consumes topics in a consumer group (CloudEvents Kafka binding, or plain JSON); offsets "
      "are committed once the queues hold the records.",
      Parse, Document};
  return kType;
}

}  // namespace tributary
