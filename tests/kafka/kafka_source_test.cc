// The kafka source against the real broker: records in every form of the CloudEvents Kafka
// binding (and plain JSON) become the right events, and offsets are committed only for
// records the queues hold, so a crash or a full queue never loses one.
#include <simdjson.h>

#include <map>
#include <set>

#include "collector_process.h"
#include "kafka_collectors.h"

namespace tributary::testing_util {
namespace {

// A worker whose file sink completes a file per batch and retries a failing directory for
// ever; `sink_keys` and `sections` extend it.
std::string WorkerConfig(const std::string& topic, const std::string& group,
                         const std::string& sink_keys = "", const std::string& sections = "") {
  return KafkaWorkerConfig(topic, group, "commit_interval = \"100ms\"\n", sink_keys + R"(
[sources.kafka.mapping]
id = "id"
[sinks.files.batch]
max_age = "100ms"
[sinks.files.retry]
initial_backoff = "50ms"
max_backoff = "200ms"
max_attempts = 0
)" + sections);
}

std::map<std::string, std::string> ById(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  for (const std::string& l : lines) {
    simdjson::dom::element doc;
    if (parser.parse(l).get(doc)) {
      ADD_FAILURE() << "not JSON: " << l;
      continue;
    }
    out[std::string(std::string_view(doc["id"]))] = l;
  }
  return out;
}

TEST(KafkaSource, RecordsInBinaryStructuredAndPlainFormBecomeEvents) {
  const std::string topic = Unique("src-modes"), group = Unique("modes");
  CreateTopic(topic, 1);
  TestProducer p;
  p.Send(topic, "k-b", R"({"v":1})",
         {{"ce_specversion", "1.0"},
          {"ce_id", "b1"},
          {"ce_source", "/dev/1"},
          {"ce_type", "t.bin"},
          {"ce_subject", "s%20not decoded"},
          {"content-type", "application/json"}});
  p.Send(topic, std::nullopt,
         R"({"specversion":"1.0","id":"s1","source":"/dev/2","type":"t.st","topic":"own.topic",)"
         R"("data":{"v":2}})",
         {{"content-type", "application/cloudevents+json; charset=utf-8"}});
  p.Send(topic, "dev-7", R"({"id":"p1","v":3})");
  p.Send(topic, std::nullopt, "not json at all");
  p.Send(topic, std::nullopt, "hi",
         {{"ce_specversion", "1.0"},
          {"ce_id", "t1"},
          {"ce_source", "/dev/3"},
          {"ce_type", "t.text"},
          {"content-type", "text/plain"}});
  p.Flush();

  // Subscribed by a pattern (a regular expression), which the topic matches.
  CollectorProcess c(WorkerConfig("^" + topic + "$", group));
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_TRUE(WaitFor([&] { return CommittedTotal(group, topic) == 5; }))
      << "offsets not committed past all 5 records\n"
      << c.Log();
  // The broker holds the offsets a moment before the synchronous commit returns, is counted
  // and the lag is updated.
  EXPECT_TRUE(WaitFor([&] {
    return Metric(c, "tributary_kafka_commits_total{source=\"kafka\"}") >= 1 &&
           Metric(c, "tributary_kafka_lag_records{source=\"kafka\"}") == 0;
  }));
  EXPECT_EQ(Metric(c, "tributary_kafka_invalid_records_total{source=\"kafka\"}"), 1);
  EXPECT_EQ(Metric(c, "tributary_kafka_consumed_records_total{source=\"kafka\"}"), 5);
  EXPECT_EQ(Metric(c, "tributary_source_received_events_total{source=\"kafka\"}"), 4);
  EXPECT_EQ(Metric(c, "tributary_kafka_lag_records{source=\"kafka\"}"), 0);
  EXPECT_EQ(Metric(c, "tributary_kafka_assigned_partitions{source=\"kafka\"}"), 1);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_NE(c.Log().find("skipped record " + topic + "[0]@3"), std::string::npos) << c.Log();

  auto events = ById(c.OutputLines("out"));
  ASSERT_EQ(events.size(), 4u) << c.Log();
  simdjson::dom::parser parser;
  auto get = [&](const std::string& id, const char* attr) -> std::string {
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(events[id]).get(doc), simdjson::SUCCESS);
    simdjson::dom::element v;
    if (doc[attr].get(v)) return "<absent>";
    std::string_view s;
    return v.get_string().get(s) ? std::string(simdjson::minify(v)) : std::string(s);
  };
  // Binary mode: ce_ headers as they are (no percent-decoding), content-type, data.
  EXPECT_EQ(get("b1", "type"), "t.bin");
  EXPECT_EQ(get("b1", "subject"), "s%20not decoded");
  EXPECT_EQ(get("b1", "datacontenttype"), "application/json");
  EXPECT_EQ(get("b1", "data"), R"({"v":1})");
  EXPECT_EQ(get("b1", "topic"), topic);         // the Kafka topic ...
  EXPECT_EQ(get("b1", "partitionkey"), "k-b");  // ... and the record key
  EXPECT_EQ(get("t1", "data_base64"), "aGk=");  // bytes of a non-JSON type
  // Structured mode: the event as it was, its own topic kept.
  EXPECT_EQ(get("s1", "type"), "t.st");
  EXPECT_EQ(get("s1", "topic"), "own.topic");
  EXPECT_EQ(get("s1", "partitionkey"), "<absent>");
  EXPECT_EQ(get("s1", "data"), R"({"v":2})");
  // Plain JSON, mapped as over HTTP.
  EXPECT_EQ(get("p1", "type"), "tributary.json");
  EXPECT_EQ(get("p1", "topic"), topic);
  EXPECT_EQ(get("p1", "partitionkey"), "dev-7");
  EXPECT_EQ(get("p1", "data"), R"({"id":"p1","v":3})");
}

std::string Plain(int i) {
  return R"({"id":"e)" + std::to_string(i) + R"(","n":)" + std::to_string(i) + "}";
}

// Every id e0..e{n-1} appears; returns how many lines were duplicates.
size_t ExpectAllIds(const std::vector<std::string>& lines, int n) {
  auto events = ById(lines);
  for (int i = 0; i < n; ++i)
    EXPECT_TRUE(events.count("e" + std::to_string(i))) << "missing e" << i;
  return lines.size() - events.size();
}

TEST(KafkaSource, AWorkerKilledBeforeItsSinkFlushedLosesNothing) {
  const std::string topic = Unique("src-crash"), group = Unique("crash");
  constexpr int kRecords = 3000;
  CreateTopic(topic, 2);
  TestProducer p;
  for (int i = 0; i < kRecords; ++i) p.Send(topic, "k" + std::to_string(i % 10), Plain(i));
  p.Flush();
  // The file sink holds its batch for an hour: nothing is written before the kill.
  CollectorProcess c(WorkerConfig(topic, group, "", R"(
[sinks.files.queue]
type = "disk"
)"));
  std::string config = ReadFile(c.dir() / "tributary.toml");
  std::string holding = config;
  holding.replace(holding.find("max_age = \"100ms\""), 17,
                  "max_age = \"1h\"\nmax_events = 1000000");
  std::ofstream(c.dir() / "tributary.toml") << holding;
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_TRUE(WaitFor([&] { return CommittedTotal(group, topic) == kRecords; })) << c.Log();
  c.Kill();  // SIGKILL: the events are only in the disk queue, their offsets committed
  EXPECT_TRUE(c.OutputLines("out").empty()) << "the sink wrote before the kill";

  std::ofstream(c.dir() / "tributary.toml") << config;
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_TRUE(WaitFor([&] { return c.OutputLines("out").size() >= kRecords; })) << c.Log();
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_EQ(ExpectAllIds(c.OutputLines("out"), kRecords), 0u)
      << "the disk queue redelivers; nothing is consumed twice";
}

TEST(KafkaSource, AFullQueueStopsCommitsUntilThereIsRoomAndLosesNothing) {
  const std::string topic = Unique("src-full"), group = Unique("full");
  constexpr int kRecords = 1000;
  CreateTopic(topic, 1);
  TestProducer p;
  for (int i = 0; i < kRecords; ++i) p.Send(topic, std::nullopt, Plain(i));
  p.Flush();
  // The sink's directory is a file, so nothing is delivered and the queue (100 events, in
  // memory) fills with batches of at most 30 records: the source must cut its batches down
  // to what still fits, then pause, and commit exactly the records it queued.
  std::string config = WorkerConfig(topic, group, "", R"(
[sinks.files.queue]
type = "memory"
max_events = 100
)");
  config.insert(config.find("commit_interval"), "max_batch_records = 30\n");
  CollectorProcess c(config);
  std::ofstream(c.dir() / "out") << "in the way";
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_TRUE(WaitFor([&] { return Metric(c, "tributary_queue_events{sink=\"files\"}") == 100; }))
      << c.Log();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // commits go on every 100 ms
  EXPECT_EQ(CommittedTotal(group, topic), 100);

  fs::remove(c.dir() / "out");  // the sink recovers: everything flows
  ASSERT_TRUE(WaitFor([&] { return CommittedTotal(group, topic) == kRecords; })) << c.Log();
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_EQ(ExpectAllIds(c.OutputLines("out"), kRecords), 0u);
  EXPECT_NE(c.Log().find("consuming pauses until there is room"), std::string::npos);
}

}  // namespace
}  // namespace tributary::testing_util
