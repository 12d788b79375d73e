// The http sink and the shared driver (retries, Retry-After, timeouts, dead letters)
// against the project's own receiver on loopback.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <set>

#include "collector_process.h"
#include "pipeline/dead_letters.h"
#include "test_receiver.h"

namespace tributary::testing_util {
namespace {

// A collector with one source and the http sink `api` posting to `rx`; the sink's own
// keys follow.
std::string ApiSink(const TestReceiver& rx) {
  return R"(
[storage]
data_dir = "{DIR}/data"
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
[sinks.api]
type = "http"
url = ")" +
         rx.url() + "\"\n";
}

std::string Config(const TestReceiver& rx, const std::string& extra = "",
                   const std::string& batch = "") {
  return ApiSink(rx) + R"(token = "t0k3n"
headers = "X-Scope-OrgID: abc, Accept: application/json, text/plain"
timeout = "500ms"
)" + extra +
         R"(
[sinks.api.retry]
initial_backoff = "50ms"
max_backoff = "5s"
max_attempts = 5
[sinks.api.batch]
max_age = "100ms"
)" + batch;
}

std::string Ce(const std::string& id, const std::string& data = R"({"x": [1, 2.50]})") {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"/cam","type":"vision.detection","data":)" + data + "}";
}

// Waits (bounded) until the receiver has at least `n` requests.
std::vector<TestReceiver::Request> WaitForRequests(
    TestReceiver& rx, size_t n, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (rx.requests().size() < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return rx.requests();
}

std::string Gunzip(const std::string& body) {
  std::string out;
  EXPECT_TRUE(Decompress(Compression::kGzip, body, out, 1u << 30).ok());
  return out;
}

std::vector<std::string> IdsOf(const std::string& json_array) {
  simdjson::dom::parser parser;
  simdjson::dom::array arr;
  std::vector<std::string> ids;
  if (parser.parse(json_array).get(arr)) {
    ADD_FAILURE() << "not a JSON array: " << json_array;
    return ids;
  }
  for (auto e : arr) ids.emplace_back(std::string_view(e["id"]));
  return ids;
}

TEST(HttpSink, PostsGzippedCloudEventsBatchesWithTheRightHeaders) {
  TestReceiver rx;
  CollectorProcess c(Config(rx));
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents-batch+json",
                   "[" + Ce("a") + "," + Ce("b") + "]")
                ->status,
            202u);
  auto reqs = WaitForRequests(rx, 1);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/ingest");
  EXPECT_EQ(r.headers.at("content-type"), "application/cloudevents-batch+json");
  EXPECT_EQ(r.headers.at("content-encoding"), "gzip");
  EXPECT_EQ(r.headers.at("authorization"), "Bearer t0k3n");
  EXPECT_EQ(r.headers.at("x-scope-orgid"), "abc");
  EXPECT_EQ(r.headers.at("accept"), "application/json, text/plain");
  EXPECT_FALSE(r.headers.at("idempotency-key").empty());
  std::string body = Gunzip(r.body);
  EXPECT_EQ(IdsOf(body), (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(body.find(R"("data":{"x": [1, 2.50]})"), std::string::npos) << body;
}

TEST(HttpSink, SendsOneEventPerRequestInBinaryMode) {
  TestReceiver rx;
  CollectorProcess c(Config(rx, R"(encoding = "cloudevents-binary"
compression = "none"
extensions = { pipelineid = "line 7" }
)"));
  ASSERT_TRUE(c.Start()) << c.Log();
  std::string json_event =
      R"({"specversion":"1.0","id":"j1","source":"/cam","type":"vision.detection",)"
      R"("subject":"café \"front\" 100%","count":3,"data":{"x": [1, 2.50]}})";
  std::string png_event = R"({"specversion":"1.0","id":"p1","source":"/cam","type":"vision.frame",)"
                          R"("datacontenttype":"image/png","data_base64":"iVBORw0KGgo="})";
  auto posted = c.Post("/v1/events", "application/cloudevents-batch+json",
                       "[" + json_event + "," + png_event + "]");
  ASSERT_EQ(posted->status, 202u) << posted->body;
  auto reqs = WaitForRequests(rx, 2);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(reqs.size(), 2u);
  const auto& j = reqs[0].headers;
  EXPECT_EQ(reqs[0].body, R"({"x": [1, 2.50]})");  // data bytes, unchanged
  EXPECT_EQ(j.at("content-type"), "application/json");
  EXPECT_EQ(j.at("ce-specversion"), "1.0");
  EXPECT_EQ(j.at("ce-id"), "j1");
  EXPECT_EQ(j.at("ce-source"), "/cam");
  EXPECT_EQ(j.at("ce-type"), "vision.detection");
  EXPECT_EQ(j.at("ce-subject"), "caf%C3%A9%20%22front%22%20100%25");  // percent-encoded
  EXPECT_EQ(j.at("ce-count"), "3");
  EXPECT_EQ(j.at("ce-pipelineid"), "line%207");
  EXPECT_EQ(j.at("authorization"), "Bearer t0k3n");
  EXPECT_EQ(j.count("content-encoding"), 0u);
  EXPECT_EQ(j.count("ce-datacontenttype"), 0u);  // it is the Content-Type
  EXPECT_NE(j.at("idempotency-key"), reqs[1].headers.at("idempotency-key"));
  EXPECT_EQ(reqs[1].headers.at("content-type"), "image/png");
  EXPECT_EQ(reqs[1].headers.at("ce-id"), "p1");
  EXPECT_EQ(reqs[1].body, std::string("\x89PNG\r\n\x1a\n", 8));  // data_base64, decoded

  // What the sink sent is valid binary-mode input: Tributary takes it back unchanged.
  TestReceiver rx2;
  CollectorProcess relay(Config(rx2, "encoding = \"cloudevents\"\ncompression = \"none\"\n"));
  ASSERT_TRUE(relay.Start()) << relay.Log();
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : j) {
    if (name.starts_with("ce-") || name == "content-type") headers.emplace_back(name, value);
  }
  ASSERT_EQ(relay.client().Request("POST", "/v1/events", headers, reqs[0].body)->status, 202u);
  auto again = WaitForRequests(rx2, 1);
  ASSERT_EQ(relay.Stop(), 0) << relay.Log();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].headers.at("content-type"), "application/cloudevents+json; charset=utf-8");
  simdjson::dom::parser parser;
  simdjson::dom::element e = parser.parse(again[0].body);
  EXPECT_EQ(std::string_view(e["subject"]), "café \"front\" 100%");
  EXPECT_EQ(std::string_view(e["pipelineid"]), "line 7");
  EXPECT_NE(again[0].body.find(R"("data":{"x": [1, 2.50]})"), std::string::npos) << again[0].body;
}

TEST(HttpSink, ConcurrentBatchesDoNotWaitForASlowOne) {
  TestReceiver rx;
  // The first request hangs past the 500 ms timeout; the other senders go on meanwhile.
  rx.Script({TestReceiver::Answer::Hang(std::chrono::milliseconds(1500))});
  CollectorProcess c(Config(rx, "concurrency = 4\ncompression = \"none\"\n", "max_events = 2\n"));
  ASSERT_TRUE(c.Start()) << c.Log();
  std::set<std::string> sent;
  std::string body = "[";
  for (int i = 0; i < 8; ++i) {
    body += (i ? "," : "") + Ce("c" + std::to_string(i));
    sent.insert("c" + std::to_string(i));
  }
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents-batch+json", body + "]")->status, 202u);
  auto reqs = WaitForRequests(rx, 5);  // four batches, one of them twice
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(reqs.size(), 5u);
  std::set<std::string> got;
  for (const auto& r : reqs) {
    for (auto& id : IdsOf(r.body)) got.insert(id);
  }
  EXPECT_EQ(got, sent);
  // The retry of the hung batch comes last: the other batches did not wait for it.
  EXPECT_EQ(reqs[4].headers.at("idempotency-key"), reqs[0].headers.at("idempotency-key"));
  EXPECT_EQ(reqs[4].body, reqs[0].body);
}

TEST(HttpSink, BatchesObeyCountAndBytes) {
  TestReceiver rx;
  CollectorProcess c(
      Config(rx, "compression = \"none\"\n", "max_events = 3\nmax_bytes = \"1KiB\"\n"));
  ASSERT_TRUE(c.Start()) << c.Log();
  std::string batch = "[";
  for (int i = 0; i < 10; ++i) batch += (i ? "," : "") + Ce("n" + std::to_string(i));
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents-batch+json", batch + "]")->status, 202u);
  std::string big = "\"" + std::string(600, 'b') + "\"";
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents-batch+json",
                   "[" + Ce("big1", big) + "," + Ce("big2", big) + "]")
                ->status,
            202u);
  auto count = [&] {
    size_t n = 0;
    for (const auto& r : rx.requests()) n += IdsOf(r.body).size();
    return n;
  };
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (count() < 12 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto reqs = rx.requests();
  EXPECT_GE(reqs.size(), 5u);
  size_t events = 0;
  for (const auto& r : reqs) {
    EXPECT_EQ(r.headers.count("content-encoding"), 0u);
    auto ids = IdsOf(r.body);
    EXPECT_LE(ids.size(), 3u);
    EXPECT_LE(r.body.size(), 1024u) << "a batch over max_bytes";
    events += ids.size();
  }
  EXPECT_EQ(events, 12u);
}

TEST(HttpSink, RetriesServerErrorsAndDeliversOnceWithOneIdempotencyKey) {
  TestReceiver rx;
  using A = TestReceiver::Answer;
  rx.Script({A::Status(500), A::Status(500), A::Status(202)});
  CollectorProcess c(Config(rx));
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("once"))->status, 202u);
  auto reqs = WaitForRequests(rx, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room for a wrong 4th attempt
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].headers.at("idempotency-key"), reqs[2].headers.at("idempotency-key"));
  EXPECT_EQ(reqs[0].body, reqs[2].body);
  EXPECT_TRUE(ListDeadLetters((c.dir() / "data").string(), "")->empty());
}

TEST(HttpSink, APermanentErrorIsDeadLetteredAfterOneAttempt) {
  TestReceiver rx;
  rx.Script({TestReceiver::Answer::Status(400, {}, R"({"error":"schema says no"})")});
  CollectorProcess c(Config(rx));
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("bad"))->status, 202u);
  WaitForRequests(rx, 1);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<DeadLetterFile> letters;
  while (letters.empty() && std::chrono::steady_clock::now() < until) {
    letters = *ListDeadLetters((c.dir() / "data").string(), "api");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_EQ(rx.requests().size(), 1u);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].letter.status, 400);
  EXPECT_EQ(letters[0].letter.attempts, 1);
  EXPECT_EQ(letters[0].letter.events, 1u);
  EXPECT_NE(letters[0].letter.response_excerpt.find("schema says no"), std::string::npos);
  auto content = ReadDeadLetter(letters[0].path);
  ASSERT_TRUE(content.ok());
  EXPECT_NE(content->second.find(R"("id":"bad")"), std::string::npos);
}

TEST(HttpSink, HonoursRetryAfterAndRetriesATimeout) {
  TestReceiver rx;
  using A = TestReceiver::Answer;
  rx.Script({A::Status(429, {{"Retry-After", "2"}}), A::Hang(std::chrono::milliseconds(2000)),
             A::Drop(), A::Status(200)});
  CollectorProcess c(Config(rx));
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("patient"))->status, 202u);
  auto reqs = WaitForRequests(rx, 4);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(reqs.size(), 4u);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(reqs[1].at - reqs[0].at);
  EXPECT_GE(waited.count(), 1900) << "Retry-After: 2 was not honoured";
  EXPECT_LT(waited.count(), 4000);
  for (const auto& r : reqs) EXPECT_EQ(r.body, reqs[0].body);
}

TEST(HttpSink, WithADiskQueueAnOutageLosesNothing) {
  TestReceiver rx;
  rx.SetDown(true);
  CollectorProcess d(ApiSink(rx) + R"(
[sinks.api.queue]
type = "disk"
[sinks.api.retry]
initial_backoff = "50ms"
max_backoff = "300ms"
max_attempts = 0
[sinks.api.batch]
max_events = 50
max_age = "50ms"
)");
  ASSERT_TRUE(d.Start()) << d.Log();
  std::set<std::string> sent;
  for (int r = 0; r < 20; ++r) {
    std::string body = "[";
    for (int i = 0; i < 10; ++i) {
      std::string id = std::to_string(r) + "-" + std::to_string(i);
      body += (i ? "," : "") + Ce(id);
      sent.insert(id);
    }
    ASSERT_EQ(d.Post("/v1/events", "application/cloudevents-batch+json", body + "]")->status, 202u);
  }
  WaitForRequests(rx, 3);  // it keeps trying while the API is down
  rx.SetDown(false);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::set<std::string> got;
  while (got.size() < sent.size() && std::chrono::steady_clock::now() < until) {
    got.clear();
    for (const auto& r : rx.requests()) {
      std::string body;
      if (r.headers.count("content-encoding") &&
          Decompress(Compression::kGzip, r.body, body, 1u << 30).ok()) {
        for (auto& id : IdsOf(body)) got.insert(id);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(d.Stop(), 0) << d.Log();
  EXPECT_EQ(got, sent);
}

TEST(HttpSink, AStopDuringAnOutageSaysWhatAMemoryQueueLosesAndADiskQueueKeeps) {
  for (std::string queue : {"memory", "disk"}) {
    TestReceiver rx;
    rx.SetDown(true);
    CollectorProcess c(ApiSink(rx) + R"(
concurrency = 2
[sinks.api.queue]
type = ")" + queue + R"("
[sinks.api.retry]
initial_backoff = "20ms"
max_attempts = 0
[sinks.api.batch]
max_age = "20ms"
[runtime]
grace_period = "1s"
)");
    ASSERT_TRUE(c.Start()) << c.Log();
    ASSERT_EQ(c.Post("/v1/events", "application/cloudevents-batch+json",
                     "[" + Ce("s1") + "," + Ce("s2") + "," + Ce("s3") + "]")
                  ->status,
              202u);
    WaitForRequests(rx, 2);
    ASSERT_EQ(c.Stop(), 0) << c.Log();
    if (queue == "memory") {
      EXPECT_NE(c.Log().find("3 events not delivered before the grace period ended (lost)"),
                std::string::npos)
          << c.Log();
    } else {
      EXPECT_NE(c.Log().find("3 events not delivered before the grace period ended; the disk "
                             "queue keeps them"),
                std::string::npos)
          << c.Log();
    }
  }
}

TEST(HttpSink, TheCircuitBreakerProbesOncePerMaxBackoffUntilTheSinkAnswers) {
  TestReceiver rx;
  rx.SetDown(true);
  CollectorProcess c(ApiSink(rx) + R"(
[sinks.api.retry]
initial_backoff = "20ms"
max_backoff = "1s"
max_attempts = 0
breaker_threshold = 3
[sinks.api.batch]
max_age = "20ms"
)");
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("probe"))->status, 202u);
  auto reqs = WaitForRequests(rx, 5);
  ASSERT_GE(reqs.size(), 5u);
  HttpClient admin("127.0.0.1", std::to_string(c.port()));
  EXPECT_NE(admin.Get("/metrics")->body.find("tributary_sink_circuit_open{sink=\"api\"} 1"),
            std::string::npos);
  // Open after the third failure: the fourth and fifth attempts are max_backoff apart.
  auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(reqs[4].at - reqs[3].at);
  EXPECT_GE(gap.count(), 900) << "probes must be max_backoff apart";
  rx.SetDown(false);
  size_t before = rx.requests().size();
  WaitForRequests(rx, before + 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_NE(admin.Get("/metrics")->body.find("tributary_sink_circuit_open{sink=\"api\"} 0"),
            std::string::npos);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_NE(c.Log().find("circuit breaker open"), std::string::npos);
  EXPECT_NE(c.Log().find("circuit breaker closed"), std::string::npos);
}

TEST(HttpSink, DlqReplayDeliversDeadLettersOnceTheReceiverIsFixed) {
  TestReceiver rx;
  rx.Script({TestReceiver::Answer::Status(422, {}, "unprocessable")});
  CollectorProcess c(Config(rx));
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("second-chance"))->status,
            202u);
  std::string data_dir = (c.dir() / "data").string(), out;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ListDeadLetters(data_dir, "api")->empty() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "dlq", "list", "--data-dir", data_dir}, &out,
                    c.dir() / "list.log"),
            0);
  EXPECT_NE(out.find("422"), std::string::npos) << out;
  EXPECT_NE(out.find("1 dead-lettered batch"), std::string::npos) << out;
  std::string id = ListDeadLetters(data_dir, "api")->at(0).letter.id;
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "dlq", "show", id, "--data-dir", data_dir}, &out,
                    c.dir() / "show.log"),
            0);
  EXPECT_NE(out.find("unprocessable"), std::string::npos) << out;
  EXPECT_NE(out.find("second-chance"), std::string::npos) << out;

  // The receiver is fixed (it answers 202 from now on); replay.
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "dlq", "replay", "--sink", "api", "--data-dir", data_dir},
                    &out, c.dir() / "replay.log"),
            0)
      << out;
  auto reqs = WaitForRequests(rx, 2);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(IdsOf(Gunzip(reqs[1].body)), std::vector<std::string>{"second-chance"});
  EXPECT_TRUE(ListDeadLetters(data_dir, "api")->empty());
  EXPECT_NE(c.Log().find("back in the queue of sink 'api'"), std::string::npos);
}

}  // namespace
}  // namespace tributary::testing_util
