// Drives the real binary over loopback: every ingest mode in, files out, exactly once,
// with data bytes unchanged; and the documented answers to bad requests.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>

#include "collector_process.h"

namespace tributary::testing_util {
namespace {

constexpr const char* kFileConfig = R"(
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
threads = 2
max_body_bytes = "256KiB"
max_event_bytes = "64KiB"

[sources.in.mapping]
id = "meta.id"
type = "kind"

[sinks.files]
type = "file"
directory = "{DIR}/out"
path = "{yyyy}/{mm}/{dd}/{uuid}.ndjson"

[sinks.files.batch]
max_events = 7
max_age = "200ms"
)";

// Output lines by event id; also checks every line is valid JSON.
std::map<std::string, std::vector<std::string>> ById(const std::vector<std::string>& lines) {
  std::map<std::string, std::vector<std::string>> out;
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    simdjson::dom::element e;
    EXPECT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    std::string_view id;
    EXPECT_EQ(e["id"].get(id), simdjson::SUCCESS) << line;
    out[std::string(id)].push_back(line);
  }
  return out;
}

std::string Ce(const std::string& id, const std::string& extra = "") {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"/it","type":"it.test")" + extra +
         "}";
}

TEST(Collector, EveryModeLandsExactlyOnceWithDataUnchanged) {
  CollectorProcess c(kFileConfig);
  ASSERT_TRUE(c.Start()) << c.Log();
  const std::string odd_data =
      R"({ "b" : [1, 2.5e+3, 18446744073709551615], "s": "caf\u00e9 \"q\"" })";

  auto r = c.Post("/v1/events", "application/cloudevents+json",
                  Ce("structured", ",\"data\": " + odd_data));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u) << r->body;
  EXPECT_EQ(r->body, R"({"accepted":1})");

  std::string batch = "[" + Ce("batch-0", R"(,"data":{"n":0})");
  for (int i = 1; i < 20; ++i)
    batch += "," + Ce("batch-" + std::to_string(i), R"(,"data":{"n":)" + std::to_string(i) + "}");
  batch += "]";
  r = c.Post("/v1/events", "application/cloudevents-batch+json; charset=utf-8", batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u) << r->body;

  r = c.Post("/v1/topics/cams/front/events", "application/json; charset=utf-8", R"({"x": 1})",
             {{"ce-specversion", "1.0"},
              {"ce-id", "binary"},
              {"ce-source", "/cam"},
              {"ce-type", "det"},
              {"ce-subject", "Euro%20%E2%82%AC"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u) << r->body;

  r = c.Post("/v1/events", "application/octet-stream", std::string("\x00\x01\xff", 3),
             {{"ce-specversion", "1.0"},
              {"ce-id", "binary-bytes"},
              {"ce-source", "/cam"},
              {"ce-type", "raw"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u) << r->body;

  r = c.Post("/v1/events", "application/json",
             R"([{"meta":{"id":"plain-1"},"kind":"k","v":1},{"meta":{"id":"plain-2"},"v":2}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u) << r->body;

  r = c.Post("/v1/events", "application/x-ndjson",
             "{\"meta\":{\"id\":\"nd-1\"}}\n\n" + Ce("nd-ce") + "\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u) << r->body;

  for (Compression comp : {Compression::kGzip, Compression::kZstd}) {
    std::string packed;
    std::string id = std::string("compressed-") + std::string(CompressionName(comp));
    ASSERT_TRUE(Compress(comp, 3, Ce(id, R"(,"data":[1,2,3])"), packed).ok());
    r = c.Post("/v1/events", "application/cloudevents+json", packed,
               {{"Content-Encoding", std::string(CompressionName(comp))}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 202u) << r->body;
  }

  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto by_id = ById(c.OutputLines());
  std::vector<std::string> expected = {"structured", "binary",          "binary-bytes",
                                       "plain-1",    "plain-2",         "nd-1",
                                       "nd-ce",      "compressed-gzip", "compressed-zstd"};
  for (int i = 0; i < 20; ++i) expected.push_back("batch-" + std::to_string(i));
  EXPECT_EQ(by_id.size(), expected.size());
  for (const auto& id : expected) {
    ASSERT_EQ(by_id[id].size(), 1u) << "event " << id << " must be in the output exactly once";
  }
  EXPECT_NE(by_id["structured"][0].find("\"data\":" + odd_data + "}"), std::string::npos)
      << by_id["structured"][0];
  EXPECT_NE(by_id["batch-7"][0].find(R"("data":{"n":7})"), std::string::npos);
  const std::string& bin = by_id["binary"][0];
  EXPECT_NE(bin.find(R"("subject":"Euro €")"), std::string::npos) << bin;
  EXPECT_NE(bin.find(R"("topic":"cams/front")"), std::string::npos) << bin;
  EXPECT_NE(bin.find(R"("datacontenttype":"application/json; charset=utf-8")"), std::string::npos)
      << bin;
  EXPECT_NE(bin.find(R"("data":{"x": 1})"), std::string::npos) << bin;
  EXPECT_NE(by_id["binary-bytes"][0].find(R"("data_base64":"AAH/")"), std::string::npos);
  EXPECT_NE(by_id["plain-1"][0].find(R"("type":"k")"), std::string::npos);
  EXPECT_NE(by_id["plain-1"][0].find(R"("data":{"meta":{"id":"plain-1"},"kind":"k","v":1})"),
            std::string::npos);
  EXPECT_NE(by_id["compressed-zstd"][0].find(R"("data":[1,2,3])"), std::string::npos);
}

struct Expect {
  const char* what;
  std::string path, content_type, body;
  std::vector<std::pair<std::string, std::string>> headers;
  unsigned status;
  std::string body_contains;
};

TEST(Collector, BadRequestsGetDocumentedAnswersAndLeaveNoTrace) {
  CollectorProcess c(kFileConfig);
  ASSERT_TRUE(c.Start()) << c.Log();
  std::string big_event = Ce("big", R"(,"data":")" + std::string(70 * 1024, 'x') + "\"");
  std::string big_body = "[" + Ce("a");
  while (big_body.size() < 300 * 1024)
    big_body += "," + Ce("a", R"(,"data":")" + std::string(1000, 'y') + "\"");
  big_body += "]";
  std::vector<Expect> cases = {
      {"bad time",
       "/v1/events",
       "application/cloudevents-batch+json",
       "[" + Ce("ok") + "," + Ce("t", R"(,"time":"noon")") + "]",
       {},
       400,
       R"({"errors":[{"index":1,"attribute":"time","message":)"},
      {"missing type",
       "/v1/events",
       "application/cloudevents+json",
       R"({"specversion":"1.0","id":"1","source":"/s"})",
       {},
       400,
       R"("attribute":"type")"},
      {"bad extension name",
       "/v1/events",
       "application/cloudevents+json",
       Ce("x", R"(,"Bad_Name":1)"),
       {},
       400,
       R"("attribute":"Bad_Name")"},
      {"not json", "/v1/events", "application/cloudevents+json", "{nope", {}, 400, "invalid JSON"},
      {"bad percent-encoding",
       "/v1/events",
       "text/plain",
       "x",
       {{"ce-specversion", "1.0"},
        {"ce-id", "1"},
        {"ce-source", "/s"},
        {"ce-type", "t"},
        {"ce-subject", "%C0%A0"}},
       400,
       R"("attribute":"subject")"},
      {"unknown media type", "/v1/events", "text/csv", "a,b", {}, 415, "unsupported Content-Type"},
      {"unknown encoding",
       "/v1/events",
       "application/cloudevents+json",
       Ce("e"),
       {{"Content-Encoding", "br"}},
       415,
       "Content-Encoding"},
      {"corrupt gzip",
       "/v1/events",
       "application/cloudevents+json",
       "not gzip",
       {{"Content-Encoding", "gzip"}},
       400,
       "gzip"},
      {"event over max_event_bytes",
       "/v1/events",
       "application/cloudevents+json",
       big_event,
       {},
       413,
       "max_event_bytes"},
      {"body over max_body_bytes",
       "/v1/events",
       "application/cloudevents-batch+json",
       big_body,
       {},
       413,
       "max_body_bytes"},
      {"unknown path",
       "/v2/events",
       "application/cloudevents+json",
       Ce("p"),
       {},
       404,
       "no such endpoint"},
  };
  for (auto& k : cases) {
    HttpClient client("127.0.0.1", std::to_string(c.port()));
    auto r = client.Post(k.path, k.content_type, k.body, k.headers);
    ASSERT_TRUE(r.ok()) << k.what << ": " << r.status().message();
    EXPECT_EQ(r->status, k.status) << k.what << ": " << r->body;
    EXPECT_NE(r->body.find(k.body_contains), std::string::npos) << k.what << ": " << r->body;
    EXPECT_EQ(r->Header("Content-Type"), "application/json") << k.what;
  }
  {
    HttpClient client("127.0.0.1", std::to_string(c.port()));
    auto r = client.Get("/v1/events");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 405u);
    EXPECT_EQ(r->Header("Allow"), "POST");
  }
  // Gzip that inflates past max_body_bytes is refused with 413 too.
  std::string bomb, packed;
  bomb = "[" + Ce("z", R"(,"data":")" + std::string(400 * 1024, 'z') + "\"") + "]";
  ASSERT_TRUE(Compress(Compression::kGzip, 9, bomb, packed).ok());
  auto r = c.Post("/v1/events", "application/cloudevents-batch+json", packed,
                  {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 413u) << r->body;

  r = c.Post("/v1/events", "application/cloudevents+json", Ce("the-only-one"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto lines = c.OutputLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("the-only-one"), std::string::npos);
}

TEST(Collector, ASecondCollectorCannotTakeAPortInUse) {
  // The I/O threads share the port through SO_REUSEPORT, which would also let another
  // collector join it and silently take part of the connections.
  const std::string config = R"(
[sources.in]
type = "http"
address = "127.0.0.1:{LISTEN}"
[sinks.files]
type = "file"
directory = "{DIR}/out"
)";
  auto on = [&](const std::string& port) {
    std::string c = config;
    ReplaceAll(c, "{LISTEN}", port);
    return c;
  };
  CollectorProcess first(on("{PORT}"));
  ASSERT_TRUE(first.Start()) << first.Log();
  CollectorProcess second(on(std::to_string(first.port())));
  EXPECT_FALSE(second.Start());
  EXPECT_NE(second.Log().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << second.Log();
  auto r = first.Post("/v1/events", "application/cloudevents+json", Ce("1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u);
}

TEST(Collector, ChecksBearerTokensAndServesHealthAndMetrics) {
  CollectorProcess t(R"(
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
tokens = ["s3cret", "other"]

[sinks.files]
type = "file"
directory = "{DIR}/out"

[api]
tokens = ["metrics-secret"]
)");
  ASSERT_TRUE(t.Start()) << t.Log();
  auto r = t.Post("/v1/events", "application/cloudevents+json", Ce("1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401u);
  EXPECT_EQ(r->Header("WWW-Authenticate"), "Bearer");
  r = t.Post("/v1/events", "application/cloudevents+json", Ce("1"),
             {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403u);
  r = t.Post("/v1/events", "application/cloudevents+json", Ce("1"),
             {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u);

  HttpClient admin("127.0.0.1", std::to_string(t.port()));
  EXPECT_EQ(admin.Get("/healthz")->status, 200u);
  EXPECT_EQ(admin.Get("/readyz")->status, 200u);
  EXPECT_EQ(admin.Get("/metrics")->status, 401u);
  auto m = admin.Request("GET", "/metrics", {{"Authorization", "Bearer metrics-secret"}}, "");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, 200u);
  EXPECT_NE(m->body.find("tributary_source_received_events_total{source=\"in\"} 1"),
            std::string::npos)
      << m->body;
  // Two 401s: the POST without a token and the GET /metrics without one.
  EXPECT_NE(m->body.find("tributary_source_requests_total{code=\"401\",source=\"in\"} 2"),
            std::string::npos);
  EXPECT_NE(m->body.find("tributary_routed_events_total{sink=\"files\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("# TYPE tributary_queue_events gauge"), std::string::npos);
  EXPECT_EQ(t.Stop(), 0) << t.Log();
  EXPECT_EQ(t.OutputLines().size(), 1u);
}

TEST(Collector, FullQueueAnswers503WithRetryAfterAndLosesNothingAccepted) {
  CollectorProcess c(R"(
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"

[sinks.files]
type = "file"
directory = "{DIR}/out"
compression = "zstd"

[sinks.files.batch]
max_age = "1h"

[sinks.files.queue]
max_events = 3
)");
  ASSERT_TRUE(c.Start()) << c.Log();
  auto r = c.Post("/v1/events", "application/cloudevents-batch+json",
                  "[" + Ce("1") + "," + Ce("2") + "," + Ce("3") + "]");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u);
  r = c.Post("/v1/events", "application/cloudevents+json", Ce("4"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503u) << r->body;
  // Retry-After comes from the queue's drain rate; nothing drains here, so it is the bound.
  EXPECT_EQ(r->Header("Retry-After"), "30");
  EXPECT_NE(r->body.find("sinks.files.queue.max_events"), std::string::npos) << r->body;
  // SIGTERM delivers the batch that was waiting for its age.
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto by_id = ById(c.OutputLines());
  EXPECT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id.count("4"), 0u);
}

TEST(Collector, BlockPolicyWaitsForRoomInsteadOfRefusing) {
  CollectorProcess c(R"(
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"

[sinks.files]
type = "file"
directory = "{DIR}/out"

[sinks.files.batch]
max_age = "300ms"

[sinks.files.queue]
max_events = 2
when_full = "block"
block_timeout = "10s"
)");
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents-batch+json",
                   "[" + Ce("1") + "," + Ce("2") + "]")
                ->status,
            202u);
  // The queue is full until the first batch goes out (300 ms); this request waits for it.
  auto r = c.Post("/v1/events", "application/cloudevents+json", Ce("3"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202u) << r->body;
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_EQ(ById(c.OutputLines()).size(), 3u);
}

TEST(Collector, OversizedHeadersGet431) {
  CollectorProcess c(kFileConfig);
  ASSERT_TRUE(c.Start()) << c.Log();
  auto r = c.Post("/v1/events", "application/cloudevents+json", Ce("h"),
                  {{"X-Padding", std::string(20 * 1024, 'p')}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 431u) << r->body;
  EXPECT_NE(r->body.find("max_header_bytes"), std::string::npos);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_TRUE(c.OutputLines().empty());
}

// Connects a raw socket to the collector, for requests an HTTP client would not send.
int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  timeval tv{10, 0};  // a bound for the test only
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void SendAll(int fd, const std::string& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
}

// Reads until `answers` status lines have arrived (or the connection ends).
std::string ReadAnswers(int fd, size_t answers) {
  std::string got;
  char buf[4096];
  auto count = [&] {
    size_t n = 0;
    for (size_t at = got.find("HTTP/1.1 "); at != std::string::npos;
         at = got.find("HTTP/1.1 ", at + 1)) {
      ++n;
    }
    return n;
  };
  while (count() < answers) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

std::string PostHead(size_t content_length, const std::string& extra = "") {
  return "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents+json\r\n" +
         extra + "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

// The next request is read while one waits for room, with the idle timeout running: a
// timeout shorter than the wait must not cost the waiting request its answer.
TEST(Collector, AnswersARequestThatWaitedLongerThanTheIdleTimeout) {
  CollectorProcess c(R"(
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
idle_timeout = "100ms"

[sinks.files]
type = "file"
directory = "{DIR}/out"

[sinks.files.batch]
max_age = "500ms"

[sinks.files.queue]
max_events = 2
when_full = "block"
block_timeout = "10s"
)");
  ASSERT_TRUE(c.Start()) << c.Log();
  int fd = Connect(c.port());
  ASSERT_GE(fd, 0);
  std::string full = "[" + Ce("1") + "," + Ce("2") + "]", waits = Ce("3");
  SendAll(fd,
          "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: "
          "application/cloudevents-batch+json\r\nContent-Length: " +
              std::to_string(full.size()) + "\r\n\r\n" + full);
  EXPECT_EQ(ReadAnswers(fd, 1).find("HTTP/1.1 202"), 0u);
  auto start = std::chrono::steady_clock::now();
  SendAll(fd, PostHead(waits.size()) + waits);
  std::string got = ReadAnswers(fd, 1);
  EXPECT_EQ(got.find("HTTP/1.1 202"), 0u) << got;
  // It did wait for the first batch to go out (well past the idle timeout).
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  ::close(fd);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  EXPECT_EQ(ById(c.OutputLines()).size(), 3u);
}

TEST(Collector, ClosesConnectionsThatDoNotFinishTheirHeaders) {
  CollectorProcess c(R"(
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
header_timeout = "300ms"

[sinks.files]
type = "file"
directory = "{DIR}/out"
)");
  ASSERT_TRUE(c.Start()) << c.Log();
  int fd = Connect(c.port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "POST /v1/events HTTP/1.1\r\nHost: x\r\n");
  char buf[256];
  EXPECT_EQ(::recv(fd, buf, sizeof buf, 0), 0) << "the server should close the connection";
  ::close(fd);
  // The collector still serves other clients.
  EXPECT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("after"))->status, 202u);
  ASSERT_EQ(c.Stop(), 0) << c.Log();
}

TEST(Collector, ReadsPipelinedChunkedSplitAndContinuedBodies) {
  CollectorProcess c(kFileConfig);
  ASSERT_TRUE(c.Start()) << c.Log();
  int fd = Connect(c.port());
  ASSERT_GE(fd, 0);
  // Two requests in one write: the first body ends where the second request begins.
  std::string b1 = Ce("pipelined-1"), b2 = Ce("pipelined-2");
  SendAll(fd, PostHead(b1.size()) + b1 + PostHead(b2.size()) + b2);
  std::string got = ReadAnswers(fd, 2);
  EXPECT_EQ(got.find("HTTP/1.1 202"), 0u) << got;
  EXPECT_NE(got.find("HTTP/1.1 202", 1), std::string::npos) << got;

  // A chunked body, its chunks split across writes.
  std::string b3 = Ce("chunked");
  std::string half = b3.substr(0, 20), rest = b3.substr(20);
  auto hex = [](size_t n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%zx", n);
    return std::string(buf);
  };
  SendAll(fd,
          "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents+json\r\n"
          "Transfer-Encoding: chunked\r\n\r\n" +
              hex(half.size()) + "\r\n" + half + "\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  SendAll(fd, hex(rest.size()) + "\r\n" + rest + "\r\n0\r\n\r\n");
  EXPECT_EQ(ReadAnswers(fd, 1).find("HTTP/1.1 202"), 0u);

  // A Content-Length body sent in three pieces, the first with the header.
  std::string b4 = Ce("split");
  SendAll(fd, PostHead(b4.size()) + b4.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  SendAll(fd, b4.substr(10, 15));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  SendAll(fd, b4.substr(25));
  EXPECT_EQ(ReadAnswers(fd, 1).find("HTTP/1.1 202"), 0u);

  // Expect: 100-continue gets its interim answer before the body is sent.
  std::string b5 = Ce("continued");
  SendAll(fd, PostHead(b5.size(), "Expect: 100-continue\r\n"));
  EXPECT_EQ(ReadAnswers(fd, 1).find("HTTP/1.1 100"), 0u);
  SendAll(fd, b5);
  EXPECT_EQ(ReadAnswers(fd, 1).find("HTTP/1.1 202"), 0u);
  ::close(fd);

  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto by_id = ById(c.OutputLines());
  for (const char* id : {"pipelined-1", "pipelined-2", "chunked", "split", "continued"}) {
    EXPECT_EQ(by_id[id].size(), 1u) << id;
  }
  EXPECT_EQ(by_id.size(), 5u);
}

// An accepted request is answered by the disk queue's writer while the I/O thread already
// reads the next one: answers must still go out in the order of the requests, an owed
// answer must reach a client, and the idle timeout still applies after it.
constexpr const char* kDiskQueueConfig = R"(
[storage]
data_dir = "{DIR}/data"
fsync = "always"

[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
idle_timeout = "400ms"

[sinks.files]
type = "file"
directory = "{DIR}/out"

[sinks.files.queue]
type = "disk"
)";

TEST(Collector, AnswersPipelinedRequestsInOrderWhileTheQueueWrites) {
  CollectorProcess c(kDiskQueueConfig);
  ASSERT_TRUE(c.Start()) << c.Log();
  int fd = Connect(c.port());
  ASSERT_GE(fd, 0);
  // Accepted requests (answered by the queue's writer) between refused ones (answered at
  // once by the I/O thread), all in one write.
  std::string wire, expected;
  for (int i = 0; i < 60; ++i) {
    std::string body = i % 3 == 2 ? "{not json" : Ce("p" + std::to_string(i));
    wire += PostHead(body.size()) + body;
    expected += i % 3 == 2 ? "400 " : "202 ";
  }
  SendAll(fd, wire);
  std::string got = ReadAnswers(fd, 60), statuses;
  for (size_t at = got.find("HTTP/1.1 "); at != std::string::npos;
       at = got.find("HTTP/1.1 ", at + 1)) {
    statuses += got.substr(at + 9, 4);
  }
  EXPECT_EQ(statuses, expected) << got;

  // Idle after its last answer, the connection is closed by the idle timeout.
  char buf[256];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  EXPECT_EQ(n, 0) << "the connection was not closed after idle_timeout";
  ::close(fd);

  // A client that leaves before its answer: the event is kept, the collector carries on.
  fd = Connect(c.port());
  ASSERT_GE(fd, 0);
  std::string gone = Ce("gone");
  SendAll(fd, PostHead(gone.size()) + gone);
  ::close(fd);
  EXPECT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("after"))->status, 202u);

  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto by_id = ById(c.OutputLines());
  by_id.erase("gone");                // kept or not, depending on whether its body arrived whole
  EXPECT_EQ(by_id.size(), 40u + 1u);  // the 40 accepted and "after"
  for (int i = 0; i < 60; ++i) {
    if (i % 3 != 2) {
      EXPECT_EQ(by_id["p" + std::to_string(i)].size(), 1u) << i;
    }
  }
  EXPECT_EQ(by_id["after"].size(), 1u);
}

TEST(Collector, RoutesByTopicAndRule) {
  CollectorProcess c(R"(
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"

[sinks.cams]
type = "file"
directory = "{DIR}/cams"
topics = ["cams/#"]
[sinks.cams.batch]
max_age = "100ms"

[sinks.rest]
type = "file"
directory = "{DIR}/rest"
topics = ["#"]
[sinks.rest.batch]
max_age = "100ms"

[routes.debug]
match.type = { glob = "*.debug" }
drop = true

[routes.alerts]
match.type = { prefix = "alert." }
sinks = ["cams"]
set = { pipelineid = "p7" }
)");
  ASSERT_TRUE(c.Start()) << c.Log();
  ASSERT_EQ(c.Post("/v1/topics/cams/one/events", "application/cloudevents+json", Ce("cam"))->status,
            202u);
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json", Ce("other"))->status, 202u);
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json",
                   R"({"specversion":"1.0","id":"dbg","source":"/s","type":"x.debug"})")
                ->status,
            202u);
  ASSERT_EQ(c.Post("/v1/events", "application/cloudevents+json",
                   R"({"specversion":"1.0","id":"alert","source":"/s","type":"alert.fire"})")
                ->status,
            202u);
  auto metrics = c.client().Get("/metrics");
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto cams = ById(c.OutputLines("cams"));
  auto rest = ById(c.OutputLines("rest"));
  EXPECT_EQ(cams.size(), 2u);
  EXPECT_EQ(cams.count("cam"), 1u);
  EXPECT_EQ(cams.count("alert"), 1u);
  EXPECT_NE(cams["alert"][0].find(R"("pipelineid":"p7")"), std::string::npos);
  EXPECT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest.count("cam"), 1u);
  EXPECT_EQ(rest.count("other"), 1u);
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("tributary_dropped_events_total{reason=\"route_drop\"} 1"),
            std::string::npos);
}

TEST(Cli, CheckNamesAMisspelledKeyAndItsLine) {
  CollectorProcess c(
      "[sources.in]\ntype = \"http\"\n\n[sinks.f]\ntype = \"file\"\ndirectroy = \"/tmp\"\n");
  std::string out;
  int code = RunTool({TRIBUTARY_BINARY, "check", "-c", (c.dir() / "tributary.toml").string()}, &out,
                     c.dir() / "check.log");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(
      out.find(
          "tributary.toml:6:1: unknown key `directroy` in [sinks.f]; did you mean `directory`?"),
      std::string::npos)
      << out;

  CollectorProcess good(kFileConfig);
  code = RunTool({TRIBUTARY_BINARY, "check", "-c", (good.dir() / "tributary.toml").string()}, &out,
                 good.dir() / "check.log");
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("OK"), std::string::npos);
}

TEST(Cli, TheExampleConfigsPassCheck) {
  ::setenv("EVENT_API_ENDPOINT", "https://events.example.com/v1/ingest", 1);
  ::setenv("EVENT_API_TOKEN", "example-token", 1);
  CollectorProcess scratch("");
  for (const auto& entry :
       fs::directory_iterator(std::string(TRIBUTARY_SOURCE_DIR) + "/config/examples")) {
    std::string out;
    int code = RunTool({TRIBUTARY_BINARY, "check", "-c", entry.path().string()}, &out,
                       scratch.dir() / "check.log");
    EXPECT_EQ(code, 0) << entry.path() << ": " << out;
  }
  ::unsetenv("EVENT_API_TOKEN");
  std::string out;
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "check", "-c",
                     std::string(TRIBUTARY_SOURCE_DIR) + "/config/examples/http-ingest-api.toml"},
                    &out, scratch.dir() / "check.log"),
            2);
  EXPECT_NE(out.find("EVENT_API_TOKEN is not set"), std::string::npos) << out;
}

TEST(Cli, SendPostsNdjsonAndCloudEventsFilesInBatches) {
  CollectorProcess c(kFileConfig);
  ASSERT_TRUE(c.Start()) << c.Log();
  {
    std::ofstream nd(c.dir() / "events.ndjson");
    for (int i = 0; i < 2500; ++i) nd << R"({"meta":{"id":"s-)" << i << R"("},"n":)" << i << "}\n";
    std::ofstream ce(c.dir() / "events.json");
    ce << "[\n";
    for (int i = 0; i < 30; ++i) ce << (i ? ",\n" : "") << Ce("ce-" + std::to_string(i));
    ce << "\n]\n";
  }
  std::string url = "http://127.0.0.1:" + std::to_string(c.port()) + "/v1/events";
  std::string out;
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "send", "--url", url, "--batch", "400",
                     (c.dir() / "events.ndjson").string()},
                    &out, c.dir() / "send1.log"),
            0)
      << out;
  EXPECT_NE(out.find("2500 events accepted"), std::string::npos) << out;
  EXPECT_EQ(RunTool({TRIBUTARY_BINARY, "send", "--url", url, "--compression", "gzip",
                     (c.dir() / "events.json").string()},
                    &out, c.dir() / "send2.log"),
            0)
      << out;
  ASSERT_EQ(c.Stop(), 0) << c.Log();
  auto by_id = ById(c.OutputLines());
  EXPECT_EQ(by_id.size(), 2530u);
  for (const auto& [id, lines] : by_id) EXPECT_EQ(lines.size(), 1u) << id;
}

}  // namespace
}  // namespace tributary::testing_util
