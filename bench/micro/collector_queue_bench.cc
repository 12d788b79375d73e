// Collector queue round trips: publish -> route -> run a no-op processor -> result, with a
// fixed pool of 1, 4 and 16 consumers. `Pipelined` keeps a window of payloads in flight
// (throughput); `OneAtATime` waits for each result before the next send (latency).

#include <benchmark/benchmark.h>

#include <vector>

#include "tributary/collector_queue.h"

namespace tributary {
namespace {

constexpr int kWindow = 64;

CollectorQueue<int, int> NoOpQueue(size_t consumers) {
  return CollectorQueue<int, int>({{"noop", [](const int& v) { return v; }}},
                                  {.min_consumers = consumers, .max_consumers = consumers});
}

void BM_CollectorQueuePipelined(benchmark::State& state) {
  auto queue = NoOpQueue(static_cast<size_t>(state.range(0)));
  queue.Start();
  std::vector<CollectorEvent<int>> window;
  window.reserve(kWindow);
  for (auto _ : state) {
    for (int i = 0; i < kWindow; ++i) window.push_back(queue.publisher().Send({.value = i}));
    for (auto& e : window) benchmark::DoNotOptimize(e.Wait().First()->value());
    window.clear();
  }
  queue.Stop();
  state.SetItemsProcessed(state.iterations() * kWindow);
  state.counters["peak_consumers"] = static_cast<double>(queue.metrics().peak_consumers);
}
BENCHMARK(BM_CollectorQueuePipelined)->Arg(1)->Arg(4)->Arg(16)->UseRealTime();

void BM_CollectorQueueOneAtATime(benchmark::State& state) {
  auto queue = NoOpQueue(static_cast<size_t>(state.range(0)));
  queue.Start();
  int i = 0;
  for (auto _ : state) {
    auto e = queue.publisher().Send({.value = ++i});
    benchmark::DoNotOptimize(e.Wait().First()->value());
  }
  queue.Stop();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CollectorQueueOneAtATime)->Arg(1)->Arg(4)->Arg(16)->UseRealTime();

}  // namespace
}  // namespace tributary
