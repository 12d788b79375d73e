// Routing a parsed batch of 100 events to three sinks by topic pattern.
#include <benchmark/benchmark.h>

#include "bench_bodies.h"
#include "routing/router.h"

namespace tributary::bench {
namespace {

void BM_RouteBatch100ByTopic(benchmark::State& state) {
  auto batch = Parse(
      Array(100,
            [](int i) {
              std::string e = CloudEvent(i);
              return e.insert(1, R"("topic":"cams/)" + std::to_string(i % 16) + R"(/detections",)");
            }),
      BodyFormat::kBatch);
  std::vector<SinkSubscription> subs;
  for (const char* p : {"cams/+/detections", "cams/#", "alerts/#"})
    subs.push_back({p, {*TopicPattern::Parse(p, "/.")}});
  auto router = Router::Make(std::move(subs), {}, std::nullopt);
  std::vector<SinkMask> masks;
  for (auto _ : state) {
    masks.clear();
    benchmark::DoNotOptimize(router->Route(*batch, masks));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch->size()));
}
BENCHMARK(BM_RouteBatch100ByTopic);

}  // namespace
}  // namespace tributary::bench
