// Scaling out through Kafka: two edge collectors take events over HTTP and produce them to
// a 4-partition topic keyed by `partitionkey`; two delivery workers consume it in one group
// and write files. One worker is killed (SIGKILL) mid-stream and started again later. At
// the end every acknowledged event is in the files, each key's events are in order within
// each worker's output, and the duplicates (at-least-once) are counted and printed.
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "collector_process.h"
#include "kafka_collectors.h"

namespace tributary::testing_util {
namespace {

constexpr int kEvents = 200'000;
constexpr int kKeys = 100;
constexpr int kPerRequest = 1000;

std::string EdgeConfig(const std::string& topic) {
  return KafkaEdgeConfig("topic = \"" + topic + R"("
[sinks.kafka.batch]
max_age = "20ms"
max_events = 2000
[sinks.kafka.queue]
type = "disk"
max_events = 1000000
)");
}

std::string WorkerConfig(const std::string& topic, const std::string& group) {
  return KafkaWorkerConfig(topic, group, R"(commit_interval = "200ms"
properties = { "session.timeout.ms" = "6000", "heartbeat.interval.ms" = "500" }
)",
                           R"(max_file_age = "1s"
[sinks.files.batch]
max_age = "100ms"
max_events = 5000
[sinks.files.queue]
type = "disk"
max_events = 1000000
)");
}

// Posts this edge's share: keys k{parity}, k{parity+2}, ...; each key's seq counts up, and
// every event is retried until the edge accepted it (202).
void PostShare(CollectorProcess& edge, int parity, std::atomic<int>& accepted) {
  HttpClient client("127.0.0.1", std::to_string(edge.port()));
  std::vector<int> seq(kKeys, 0);
  int key = parity;
  for (int sent = 0; sent < kEvents / 2; sent += kPerRequest) {
    std::string body = "[";
    for (int i = 0; i < kPerRequest; ++i) {
      std::string k = "k" + std::to_string(key);
      if (i) body += ',';
      body += R"({"specversion":"1.0","id":")" + k + "-" + std::to_string(seq[key]) +
              R"(","source":"/scale","type":"scale.tick","partitionkey":")" + k +
              R"(","data":{"seq":)" + std::to_string(seq[key]) + "}}";
      ++seq[key];
      key = (key + 2) % kKeys;
    }
    body += "]";
    for (int attempt = 0;; ++attempt) {
      auto res = client.Post("/v1/events", "application/cloudevents-batch+json", body);
      if (res && res->status == 202) break;
      ASSERT_LT(attempt, 600) << "edge keeps refusing: " << (res ? res->body : "no answer");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    accepted += kPerRequest;
  }
}

struct Output {
  std::vector<std::string> ids;                            // in file order
  std::map<std::string, std::vector<int64_t>> seq_by_key;  // first occurrences, in order
};

// The worker's lines in the order written: files by name (UUIDv7, so by creation time).
Output ReadOutput(const CollectorProcess& worker) {
  std::vector<fs::path> files;
  for (auto& e : fs::recursive_directory_iterator(worker.dir() / "out")) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name[0] != '.') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  Output out;
  std::set<std::string> seen;
  simdjson::dom::parser parser;
  for (const fs::path& f : files) {
    std::istringstream in(ReadFile(f));
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      simdjson::dom::element doc;
      if (parser.parse(line).get(doc)) {
        ADD_FAILURE() << "not JSON in " << f << ": " << line;
        continue;
      }
      std::string id = std::string(std::string_view(doc["id"]));
      out.ids.push_back(id);
      if (seen.insert(id).second) {
        out.seq_by_key[std::string(std::string_view(doc["partitionkey"]))].push_back(
            int64_t(doc["data"]["seq"]));
      }
    }
  }
  return out;
}

TEST(ScaleOut, TwoEdgesTwoWorkersAWorkerKilledMidStreamNothingLost) {
  const std::string topic = Unique("scale"), group = Unique("workers");
  CreateTopic(topic, 4);
  CollectorProcess edge_a(EdgeConfig(topic)), edge_b(EdgeConfig(topic));
  CollectorProcess worker_1(WorkerConfig(topic, group)), worker_2(WorkerConfig(topic, group));
  ASSERT_TRUE(edge_a.Start()) << edge_a.Log();
  ASSERT_TRUE(edge_b.Start()) << edge_b.Log();
  ASSERT_TRUE(worker_1.Start()) << worker_1.Log();
  ASSERT_TRUE(worker_2.Start()) << worker_2.Log();

  const std::string assigned = "tributary_kafka_assigned_partitions{source=\"kafka\"}";
  ASSERT_TRUE(WaitFor([&] {
    return Metric(worker_1, assigned) == 2 && Metric(worker_2, assigned) == 2;
  })) << "the workers did not share the 4 partitions\n"
      << worker_1.Log() << worker_2.Log();

  auto t0 = std::chrono::steady_clock::now();
  std::atomic<int> accepted{0};
  std::thread post_a([&] { PostShare(edge_a, 0, accepted); });
  std::thread post_b([&] { PostShare(edge_b, 1, accepted); });
  // Mid-stream: 40% posted, and worker 2 well into its partitions.
  const std::string consumed = "tributary_kafka_consumed_records_total{source=\"kafka\"}";
  EXPECT_TRUE(WaitFor([&] {
    return accepted.load() >= kEvents * 2 / 5 && Metric(worker_2, consumed) >= kEvents / 10;
  }));
  double killed_at = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double consumed_by_2 = Metric(worker_2, consumed);
  worker_2.Kill();  // without any shutdown work
  int64_t committed_at_kill = CommittedTotal(group, topic);
  post_a.join();
  post_b.join();
  double ingest_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(accepted.load(), kEvents);

  // Everything acknowledged reaches Kafka, once: the producers are idempotent.
  ASSERT_TRUE([&] {
    for (int i = 0; i < 600 && EndOffsetTotal(topic) < kEvents; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return EndOffsetTotal(topic) == kEvents;
  }()) << EndOffsetTotal(topic)
       << " records in the topic\n"
       << edge_a.Log() << edge_b.Log();
  double produced_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  ASSERT_TRUE(worker_2.Start()) << worker_2.Log();  // it joins the group again
  ASSERT_TRUE([&] {
    for (int i = 0; i < 1200 && CommittedTotal(group, topic) < kEvents; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return CommittedTotal(group, topic) == kEvents;
  }()) << CommittedTotal(group, topic)
       << " committed\n"
       << worker_1.Log() << worker_2.Log();
  double consumed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(edge_a.Stop(), 0) << edge_a.Log();
  ASSERT_EQ(edge_b.Stop(), 0) << edge_b.Log();
  ASSERT_EQ(worker_1.Stop(), 0) << worker_1.Log();  // flushes what the queues hold
  ASSERT_EQ(worker_2.Stop(), 0) << worker_2.Log();

  Output out_1 = ReadOutput(worker_1), out_2 = ReadOutput(worker_2);
  std::set<std::string> all(out_1.ids.begin(), out_1.ids.end());
  all.insert(out_2.ids.begin(), out_2.ids.end());
  size_t lines = out_1.ids.size() + out_2.ids.size();
  size_t lost = kEvents - std::min<size_t>(all.size(), kEvents);
  for (int k = 0; k < kKeys && lost; ++k) {
    for (int s = 0; s < kEvents / kKeys; ++s) {
      std::string id = "k" + std::to_string(k) + "-" + std::to_string(s);
      EXPECT_TRUE(all.count(id)) << "lost " << id;
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kEvents));
  // Within each worker's output, each key's events come in the order they were posted.
  for (const Output* out : {&out_1, &out_2}) {
    for (const auto& [key, seqs] : out->seq_by_key)
      EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << "key " << key << " out of order";
  }
  std::printf(
      "scale-out: %d events posted to 2 edges, %zu lines written by 2 workers, %zu unique, "
      "%zu duplicates, %zu lost\n"
      "scale-out: worker 2 killed at %.2f s having queued %.0f records (%lld committed by the "
      "group then); worker 1 wrote %zu lines, worker 2 (restarted) %zu\n"
      "scale-out: HTTP accepted in %.2f s (%.0f ev/s), all in Kafka at %.2f s, all consumed and "
      "committed at %.2f s\n",
      kEvents, lines, all.size(), lines - all.size(), lost, killed_at, consumed_by_2,
      static_cast<long long>(committed_at_kill), out_1.ids.size(), out_2.ids.size(), ingest_s,
      kEvents / ingest_s, produced_s, consumed_s);
}

}  // namespace
}  // namespace tributary::testing_util
