// The disk queue's promise through the real binary: an event answered with 202 reaches
// its sink across kill -9, a sink outage and a full disk.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/mount.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "buffer/disk/segment.h"
#include "collector_process.h"

namespace tributary::testing_util {
namespace {

// Posts numbered events from several threads and remembers which were acknowledged.
class Producer {
 public:
  Producer(uint16_t port, int threads, int per_request) : port_(port), per_request_(per_request) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  ~Producer() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::set<std::string> acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  size_t refused() const { return refused_.load(); }
  std::string last_refusal() {
    std::lock_guard lock(mu_);
    return last_refusal_;
  }

 private:
  void Run(int t) {
    HttpClient client("127.0.0.1", std::to_string(port_));
    for (int seq = 0; !stop_; ++seq) {
      std::string body = "[";
      std::vector<std::string> ids;
      for (int i = 0; i < per_request_; ++i) {
        ids.push_back("p" + std::to_string(t) + "-" + std::to_string(seq) + "-" +
                      std::to_string(i));
        body += (i ? "," : "") + std::string(R"({"specversion":"1.0","id":")") + ids.back() +
                R"(","source":"/crash","type":"t","data":{"pad":")" + std::string(200, 'x') +
                "\"}}";
      }
      auto r = client.Post("/v1/events", "application/cloudevents-batch+json", body + "]");
      if (r.ok() && r->status == 202) {
        std::lock_guard lock(mu_);
        acked_.insert(ids.begin(), ids.end());
      } else {
        ++refused_;
        if (r.ok()) {
          std::lock_guard lock(mu_);
          last_refusal_ = std::to_string(r->status) + " " + r->body;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }

  uint16_t port_;
  int per_request_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> refused_{0};
  std::mutex mu_;
  std::set<std::string> acked_;
  std::string last_refusal_;
  std::vector<std::thread> threads_;
};

// Event ids in the output, with how often each appears.
std::map<std::string, int> OutputIds(const CollectorProcess& c) {
  std::map<std::string, int> ids;
  simdjson::dom::parser parser;
  for (const auto& line : c.OutputLines()) {
    simdjson::dom::element e;
    EXPECT_EQ(parser.parse(line).get(e), simdjson::SUCCESS)
        << "a torn line in the output: " << line;
    std::string_view id;
    if (e["id"].get(id) == simdjson::SUCCESS) ++ids[std::string(id)];
  }
  return ids;
}

// Waits (bounded) until the metric line `series value` appears; returns whether it did.
bool WaitForMetric(CollectorProcess& c, const std::string& line, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    HttpClient client("127.0.0.1", std::to_string(c.port()));
    auto m = client.Get("/metrics");
    if (m.ok() && m->body.find(line + "\n") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

constexpr const char* kDiskConfig = R"(
[storage]
data_dir = "{DIR}/data"

[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"

[sinks.files]
type = "file"
directory = "{DIR}/out"
[sinks.files.queue]
type = "disk"
[sinks.files.batch]
max_events = 300
max_age = "50ms"
[sinks.files.retry]
initial_backoff = "50ms"
max_backoff = "500ms"
)";

// kill -9 at random moments under concurrent load; every acknowledged event must be in
// the output afterwards. TRIBUTARY_CRASH_KILLS sets how many kills (the soak test runs
// hundreds; see tests/soak/crash_soak.sh).
TEST(Durability, EveryAcknowledgedEventSurvivesKillNine) {
  int kills = 3;
  if (const char* k = std::getenv("TRIBUTARY_CRASH_KILLS")) kills = std::atoi(k);
  CollectorProcess c(kDiskConfig);
  ASSERT_TRUE(c.Start()) << c.Log();
  Producer producer(c.port(), 2, 20);
  std::mt19937 rng(std::random_device{}());
  for (int k = 0; k < kills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    c.Kill();
    ASSERT_TRUE(c.Start()) << "restart " << k << " failed:\n" << c.Log();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  producer.Stop();
  ASSERT_EQ(c.Stop(), 0) << c.Log();

  auto acked = producer.acked();
  auto out = OutputIds(c);
  size_t lost = 0, duplicates = 0;
  for (const auto& id : acked) lost += out.count(id) == 0;
  for (const auto& [id, n] : out) duplicates += static_cast<size_t>(n - 1);
  RecordProperty("kills", kills);
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("duplicates", static_cast<int>(duplicates));
  std::printf("crash test: %d kills, %zu events acknowledged, %zu lost, %zu duplicates\n", kills,
              acked.size(), lost, duplicates);
  EXPECT_GT(acked.size(), 0u);
  EXPECT_EQ(lost, 0u) << "acknowledged events missing from the output";
}

TEST(Durability, ASinkOutageFillsTheQueueThenEverythingIsDelivered) {
  CollectorProcess o(R"(
[storage]
data_dir = "{DIR}/data"

[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"

[sinks.files]
type = "file"
directory = "{DIR}/out"
[sinks.files.queue]
type = "disk"
max_bytes = "200KiB"
[sinks.files.batch]
max_age = "50ms"
[sinks.files.retry]
initial_backoff = "50ms"
max_backoff = "300ms"
)");
  // The outage: a file where the sink's directory should be.
  std::ofstream(o.dir() / "out") << "not a directory";
  ASSERT_TRUE(o.Start()) << o.Log();
  {
    Producer producer(o.port(), 1, 20);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (producer.refused() == 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    producer.Stop();
    ASSERT_GT(producer.refused(), 0u) << "the queue never filled";
    EXPECT_NE(producer.last_refusal().find("503"), std::string::npos) << producer.last_refusal();
    EXPECT_NE(producer.last_refusal().find("sinks.files.queue.max_bytes"), std::string::npos);
    auto acked = producer.acked();
    ASSERT_GT(acked.size(), 100u);
    HttpClient client("127.0.0.1", std::to_string(o.port()));
    auto m = client.Get("/metrics");
    ASSERT_TRUE(m.ok());
    EXPECT_NE(m->body.find("tributary_sink_failures_total{sink=\"files\"}"), std::string::npos);

    fs::remove(o.dir() / "out");  // the sink recovers
    EXPECT_TRUE(
        WaitForMetric(o, "tributary_queue_events{sink=\"files\"} 0", std::chrono::seconds(30)))
        << "the queue did not drain";
    ASSERT_EQ(o.Stop(), 0) << o.Log();
    auto out = OutputIds(o);
    for (const auto& id : acked) ASSERT_EQ(out.count(id), 1u) << id;
  }
}

// A full disk answers 503 and loses nothing; when the sink catches up, space comes back.
TEST(Durability, AFullDiskRefusesWithoutLosingAnything) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs for the queue";
  CollectorProcess c(R"(
[storage]
data_dir = "{DIR}/data"
segment_bytes = "256KiB"

[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"

[sinks.files]
type = "file"
directory = "{DIR}/out"
[sinks.files.queue]
type = "disk"
max_bytes = "1GiB"
[sinks.files.batch]
max_age = "50ms"
[sinks.files.retry]
initial_backoff = "50ms"
max_backoff = "300ms"
)");
  fs::create_directories(c.dir() / "data");
  ASSERT_EQ(::mount("tmpfs", (c.dir() / "data").c_str(), "tmpfs", 0, "size=1m"), 0)
      << std::strerror(errno);
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{c.dir() / "data"};
  std::ofstream(c.dir() / "out") << "outage";  // nothing drains until the disk is full
  ASSERT_TRUE(c.Start()) << c.Log();
  std::set<std::string> acked;
  {
    Producer producer(c.port(), 1, 20);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (producer.refused() == 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    producer.Stop();
    ASSERT_GT(producer.refused(), 0u) << "the disk never filled";
    EXPECT_NE(producer.last_refusal().find("503"), std::string::npos) << producer.last_refusal();
    EXPECT_NE(producer.last_refusal().find("filesystem is full"), std::string::npos)
        << producer.last_refusal();
    acked = producer.acked();
  }
  fs::remove(c.dir() / "out");
  ASSERT_TRUE(
      WaitForMetric(c, "tributary_queue_events{sink=\"files\"} 0", std::chrono::seconds(30)))
      << c.Log();
  // Delivered segments were deleted: the queue takes events again.
  bool accepted = false;
  for (int i = 0; i < 50 && !accepted; ++i) {
    HttpClient client("127.0.0.1", std::to_string(c.port()));
    auto r = client.Post("/v1/events", "application/cloudevents+json",
                         R"({"specversion":"1.0","id":"after-full","source":"/s","type":"t"})");
    accepted = r.ok() && r->status == 202;
    if (!accepted) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(accepted) << c.Log();
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto out = OutputIds(c);
  for (const auto& id : acked) ASSERT_EQ(out.count(id), 1u) << id;
  EXPECT_EQ(out.count("after-full"), 1u);
}

TEST(Durability, ASecondCollectorOnTheSameDataDirOrOutputRefusesToStart) {
  const std::string config = R"(
[storage]
data_dir = "{DATA}/data"
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
[sinks.files]
type = "file"
directory = "{OUT}/out"
max_file_age = "1h"
[sinks.files.queue]
type = "disk"
[sinks.files.batch]
max_age = "50ms"
)";
  auto with_dirs = [&](const std::string& data, const std::string& out) {
    std::string c = config;
    ReplaceAll(c, "{DATA}", data);
    ReplaceAll(c, "{OUT}", out);
    return c;
  };
  CollectorProcess first(with_dirs("{DIR}", "{DIR}"));
  ASSERT_TRUE(first.Start()) << first.Log();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(first
                  .Post("/v1/events", "application/cloudevents+json",
                        R"({"specversion":"1.0","id":")" + std::to_string(i) +
                            R"(","source":"/s","type":"t"})")
                  ->status,
              202u);
  }
  ASSERT_TRUE(WaitForMetric(first, R"(tributary_sink_sent_events_total{sink="files"} 3)",
                            std::chrono::seconds(10)));
  auto open_files = [&] {
    size_t n = 0;
    for (auto& e : fs::recursive_directory_iterator(first.dir() / "out"))
      n += e.is_regular_file() && e.path().extension() == ".tmp";
    return n;
  };
  ASSERT_EQ(open_files(), 1u);  // the first collector's file, still being written

  // Same data_dir and output directory, another port: the queue's lock stops it first.
  CollectorProcess second(with_dirs(first.dir().string(), first.dir().string()));
  EXPECT_FALSE(second.Start()) << "a second collector ran on a queue in use";
  EXPECT_NE(second.Log().find("/data/queue is in use by another process (pid "), std::string::npos)
      << second.Log();
  // Its own data_dir, the same output directory: the file sink's lock stops it.
  CollectorProcess other(with_dirs("{DIR}", first.dir().string()));
  EXPECT_FALSE(other.Start()) << "a second collector wrote into a file sink's directory in use";
  EXPECT_NE(other.Log().find("/out is in use by another process (pid "), std::string::npos)
      << other.Log();
  EXPECT_EQ(open_files(), 1u);  // not completed under the first one's feet

  EXPECT_EQ(first.Stop(), 0);
  EXPECT_EQ(OutputIds(first), (std::map<std::string, int>{{"0", 1}, {"1", 1}, {"2", 1}}));
  CollectorProcess third(with_dirs(first.dir().string(), first.dir().string()));
  EXPECT_TRUE(third.Start()) << third.Log();  // the locks went with the first process
}

TEST(Durability, QueueInspectAndVerifyReadAQueueWithoutChangingIt) {
  CollectorProcess q(R"(
[storage]
data_dir = "{DIR}/data"
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
[sinks.files]
type = "file"
directory = "{DIR}/out"
[sinks.files.queue]
type = "disk"
[sinks.files.batch]
max_age = "1h"
)");
  ASSERT_TRUE(q.Start()) << q.Log();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(q.Post("/v1/events", "application/cloudevents+json",
                     R"({"specversion":"1.0","id":")" + std::to_string(i) +
                         R"(","source":"/s","type":"t"})")
                  ->status,
              202u);
  }
  q.Kill();  // leave the three events undelivered in the queue
  std::string queue = (q.dir() / "data" / "queue").string(), out;
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "queue", "inspect", queue}, &out, q.dir() / "inspect.log"),
            0)
      << out;
  EXPECT_NE(out.find("3 records, 3 events, 0 corrupt"), std::string::npos) << out;
  EXPECT_NE(out.find("3 events not yet delivered"), std::string::npos) << out;
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "queue", "verify", queue}, &out, q.dir() / "verify.log"), 0)
      << out;

  auto segments = ListSegments(queue);
  ASSERT_TRUE(segments.ok() && !segments->empty());
  std::string first = SegmentPath(queue, segments->front());
  std::string damaged = ReadFile(first);
  damaged[20] ^= 0x40;  // a flipped bit inside the first record
  std::ofstream(first, std::ios::binary | std::ios::trunc) << damaged;
  std::string before = ReadFile(first);
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "queue", "verify", queue}, &out, q.dir() / "verify2.log"), 1)
      << out;
  EXPECT_NE(out.find("CORRUPTION FOUND"), std::string::npos) << out;
  EXPECT_EQ(ReadFile(first), before);  // read-only
}

}  // namespace
}  // namespace tributary::testing_util
