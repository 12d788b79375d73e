// One ingest request through the HTTP handler without the network: headers checked, body
// parsed and validated, events routed and appended to a memory queue, 202 written.
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>

#include "bench_bodies.h"
#include "buffer/memory_buffer.h"
#include "pipeline/ingest.h"
#include "routing/router.h"
#include "sources/http/handler.h"

namespace tributary::bench {
namespace {

void RunHandler(benchmark::State& state, const std::string& body, const char* content_type,
                size_t events) {
  Metrics metrics;
  QueueLimits limits;
  limits.max_events = 1ull << 40;
  limits.max_bytes = 1ull << 50;
  MemoryBuffer buffer({"s"}, {limits});
  std::vector<SinkSubscription> subs;
  subs.push_back({"s", {*TopicPattern::Parse("#", "/.")}});
  auto router = Router::Make(std::move(subs), {}, std::nullopt);
  Ingest ingest(*router, buffer, metrics);
  HttpSourceConfig config;
  ApiConfig api;
  HttpHandler handler("in", config, api, ingest, metrics, SystemClock::Get());
  boost::asio::io_context ioc;
  std::vector<QueuedEvent> read;
  for (auto _ : state) {
    http::request<http::string_body> req{http::verb::post, "/v1/events", 11};
    req.set(http::field::content_type, content_type);
    req.body() = body;
    bool accepted = false;
    handler.Handle(std::move(req), ioc.get_executor(),
                   [&](HttpAnswer a) { accepted = a.status == http::status::accepted; });
    if (!accepted) state.SkipWithError("request not accepted");
    // Drain the queue so that it does not grow (delivery's cost is not measured here).
    read.clear();
    buffer.Reader(0).Read(read, events, std::chrono::steady_clock::now());
    buffer.Reader(0).Ack(read.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_HandlePlainJsonBatch100(benchmark::State& state) {
  RunHandler(state, Array(100, PlainEvent), "application/json", 100);
}
void BM_HandlePlainJsonSingle(benchmark::State& state) {
  RunHandler(state, PlainEvent(1), "application/json", 1);
}
BENCHMARK(BM_HandlePlainJsonBatch100);
BENCHMARK(BM_HandlePlainJsonSingle);

}  // namespace
}  // namespace tributary::bench
