// The kafka sink against the real broker: events posted over HTTP arrive as records with
// the CloudEvents Kafka binding's headers, keys and values.
#include <simdjson.h>

#include <map>
#include <set>

#include "collector_process.h"
#include "kafka_collectors.h"
#include "pipeline/dead_letters.h"

namespace tributary::testing_util {
namespace {

// An edge whose sink `kafka` has `sink_keys`, batches of 20 ms and 5 quick attempts.
std::string EdgeConfig(const std::string& sink_keys) {
  return KafkaEdgeConfig(sink_keys + R"(
[sinks.kafka.batch]
max_age = "20ms"
[sinks.kafka.retry]
initial_backoff = "50ms"
max_attempts = 5
)");
}

const Record* ById(const std::vector<Record>& records, const std::string& id) {
  for (const Record& r : records) {
    if (r.Header("ce_id") == id) return &r;
  }
  return nullptr;
}

TEST(KafkaSink, BinaryModeRecordsCarryTheAttributesAsHeadersAndTheDataAsValue) {
  const std::string topic = Unique("sink-binary");
  CreateTopic(topic, 2);
  CollectorProcess c(EdgeConfig("topic = \"" + topic + R"("
extensions = { pipelineid = "p1" })"));
  ASSERT_TRUE(c.Start()) << c.Log();
  std::string body = R"([
 {"specversion":"1.0","id":"e1","source":"/cam/1","type":"vision.detection",
  "partitionkey":"cam-1","data":{"x": 1}},
 {"specversion":"1.0","id":"e2","source":"/cam/1","type":"vision.frame",
  "datacontenttype":"image/png","data_base64":"iVBORw0KGgo="},
 {"specversion":"1.0","id":"e3","source":"/cam/2","type":"note","subject":"s",
  "datacontenttype":"text/plain","data":"hello"}])";
  auto res = c.Post("/v1/topics/cam.1/events", "application/cloudevents-batch+json", body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202u) << res->body;
  auto records = ReadAll(topic, 3);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(records.size(), 3u);

  const Record* e1 = ById(records, "e1");
  ASSERT_NE(e1, nullptr);
  EXPECT_EQ(e1->key, "cam-1");  // the partitionkey extension
  EXPECT_EQ(e1->value, R"({"x": 1})");
  EXPECT_EQ(e1->Header("ce_specversion"), "1.0");
  EXPECT_EQ(e1->Header("ce_source"), "/cam/1");
  EXPECT_EQ(e1->Header("ce_type"), "vision.detection");
  EXPECT_EQ(e1->Header("ce_partitionkey"), "cam-1");
  EXPECT_EQ(e1->Header("ce_topic"), "cam.1");
  EXPECT_EQ(e1->Header("ce_pipelineid"), "p1");  // the sink's own extension
  EXPECT_EQ(e1->Header("content-type"), "application/json");
  EXPECT_FALSE(e1->Header("ce_datacontenttype")) << "it travels as content-type";

  const Record* e2 = ById(records, "e2");
  ASSERT_NE(e2, nullptr);
  EXPECT_FALSE(e2->key) << "no partitionkey: no key";
  EXPECT_EQ(e2->value, std::string("\x89PNG\r\n\x1a\n", 8));  // data_base64, decoded
  EXPECT_EQ(e2->Header("content-type"), "image/png");

  const Record* e3 = ById(records, "e3");
  ASSERT_NE(e3, nullptr);
  EXPECT_EQ(e3->value, "hello");  // a JSON string of a text type goes as its text
  EXPECT_EQ(e3->Header("content-type"), "text/plain");
  EXPECT_EQ(e3->Header("ce_subject"), "s");
}

TEST(KafkaSink, StructuredModeWithTopicAndKeyTemplates) {
  const std::string prefix = Unique("st");
  CreateTopic(prefix + ".alpha", 1);
  CreateTopic(prefix + ".beta", 1);
  CollectorProcess c(EdgeConfig("topic = \"" + prefix + R"(.{type}"
encoding = "cloudevents"
key = "{source}/{subject}")"));
  ASSERT_TRUE(c.Start()) << c.Log();
  std::string body = R"([
 {"specversion":"1.0","id":"a1","source":"/s","subject":"x","type":"alpha","data":{"n":1}},
 {"specversion":"1.0","id":"b1","source":"/t","type":"beta","data":[1,2]}])";
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents-batch+json", body)->status, 202u);
  auto alpha = ReadAll(prefix + ".alpha", 1);
  auto beta = ReadAll(prefix + ".beta", 1);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(alpha.size(), 1u);
  ASSERT_EQ(beta.size(), 1u);
  EXPECT_EQ(alpha[0].Header("content-type"), "application/cloudevents+json; charset=utf-8");
  EXPECT_FALSE(alpha[0].Header("ce_id")) << "structured mode has no ce_ headers";
  EXPECT_EQ(alpha[0].key, "/s/x");
  EXPECT_EQ(beta[0].key, "/t/");  // an absent attribute expands to nothing
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(alpha[0].value).get(doc), simdjson::SUCCESS) << alpha[0].value;
  EXPECT_EQ(std::string_view(doc["id"]), "a1");
  EXPECT_EQ(std::string_view(doc["type"]), "alpha");
  EXPECT_EQ(int64_t(doc["data"]["n"]), 1);
}

TEST(KafkaSink, KeyFromDataKeepsEachKeyInOnePartitionInOrder) {
  const std::string topic = Unique("sink-keys");
  CreateTopic(topic, 4);
  CollectorProcess c(EdgeConfig("topic = \"" + topic + R"("
key = "{/device/id}")"));
  ASSERT_TRUE(c.Start()) << c.Log();
  constexpr int kEvents = 400;
  for (int batch = 0; batch < kEvents / 100; ++batch) {
    std::string body = "[";
    for (int i = batch * 100; i < (batch + 1) * 100; ++i) {
      if (i % 100) body += ',';
      body +=
          R"({"device":{"id":"d)" + std::to_string(i % 8) + R"("},"n":)" + std::to_string(i) + "}";
    }
    body += "]";
    ASSERT_EQ(c.Post("/v1/events", "application/json", body)->status, 202u);
  }
  auto records = ReadAll(topic, kEvents);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(records.size(), static_cast<size_t>(kEvents));
  std::map<std::string, std::set<int32_t>> partitions;
  std::map<std::string, int64_t> last_n;
  simdjson::dom::parser parser;
  for (const Record& r : records) {  // in offset order within each partition
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.value).get(doc), simdjson::SUCCESS);
    std::string id = std::string(std::string_view(doc["device"]["id"]));
    ASSERT_TRUE(r.key);
    EXPECT_EQ(*r.key, id);
    partitions[id].insert(r.partition);
    // murmur2, as the Java clients place keys.
    EXPECT_EQ(r.partition,
              rd_kafka_msg_partitioner_murmur2(nullptr, id.data(), id.size(), 4, nullptr, nullptr));
    int64_t n = doc["n"];
    EXPECT_GT(n, last_n.count(id) ? last_n[id] : -1) << "key " << id << " out of order";
    last_n[id] = n;
  }
  EXPECT_EQ(partitions.size(), 8u);
  std::set<int32_t> used;
  for (const auto& [id, ps] : partitions) {
    EXPECT_EQ(ps.size(), 1u) << "key " << id << " spread over partitions";
    used.insert(*ps.begin());
  }
  EXPECT_GT(used.size(), 1u) << "8 keys all in one partition of 4";
}

TEST(KafkaSink, RecordsWithoutAKeyGoRoundRobin) {
  const std::string topic = Unique("sink-no-key");
  CreateTopic(topic, 4);
  CollectorProcess c(EdgeConfig("topic = \"" + topic + "\"\nkey = \"\""));
  ASSERT_TRUE(c.Start()) << c.Log();
  std::string body = "[";
  for (int i = 0; i < 400; ++i)
    body += std::string(i ? "," : "") + R"({"n":)" + std::to_string(i) + "}";
  ASSERT_EQ(c.Post("/v1/events", "application/json", body + "]")->status, 202u);
  auto records = ReadAll(topic, 400);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(records.size(), 400u);
  std::map<int32_t, int> per_partition;
  for (const Record& r : records) {
    EXPECT_FALSE(r.key);
    ++per_partition[r.partition];
  }
  EXPECT_EQ(per_partition, (std::map<int32_t, int>{{0, 100}, {1, 100}, {2, 100}, {3, 100}}));
}

TEST(KafkaSink, AMissingTopicIsAPermanentFailureAndDeadLettered) {
  CollectorProcess c(EdgeConfig(R"(topic = "never-created"
properties = { "topic.metadata.propagation.max.ms" = "500" })"));
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json",
                   R"({"specversion":"1.0","id":"lost?","source":"/s","type":"t"})")
                ->status,
            202u);
  std::string data_dir = (c.dir() / "data").string();
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ListDeadLetters(data_dir, "kafka")->empty() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto letters = ListDeadLetters(data_dir, "kafka");
  ASSERT_TRUE(letters);
  ASSERT_EQ(letters->size(), 1u) << c.Log();
  // The broker's first "unknown topic or partition" may be a topic still being created and
  // is retried; once librdkafka's metadata says the topic does not exist, it is permanent.
  EXPECT_LT(letters->at(0).letter.attempts, 5) << "dead-lettered only when retries ran out";
  EXPECT_NE(letters->at(0).letter.error.find("never-created: Local: Unknown topic"),
            std::string::npos)
      << letters->at(0).letter.error;
}

}  // namespace
}  // namespace tributary::testing_util
