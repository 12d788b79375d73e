// Parsing and validation of request bodies: MB/s and events/s.
#include <benchmark/benchmark.h>

#include "bench_bodies.h"

namespace tributary::bench {
namespace {

void RunParse(benchmark::State& state, const std::string& body, BodyFormat format) {
  static const JsonMapping kMapping;
  ParseOptions opts;
  opts.mapping = &kMapping;
  std::vector<EventError> errors;
  size_t events = 0;
  for (auto _ : state) {
    std::string copy = body;  // a request owns its body; the copy is part of the real cost
    EnsurePadding(copy);
    EventBatch batch(std::move(copy));
    errors.clear();
    if (!ParseEvents(format, batch, opts, errors).ok()) state.SkipWithError("parse failed");
    events += batch.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(events));
}

void BM_ParsePlainJsonBatch100(benchmark::State& state) {
  RunParse(state, Array(100, PlainEvent), BodyFormat::kJson);
}
void BM_ParseCloudEventsBatch100(benchmark::State& state) {
  RunParse(state, Array(100, CloudEvent), BodyFormat::kBatch);
}
void BM_ParsePlainJsonSingle(benchmark::State& state) {
  RunParse(state, PlainEvent(1), BodyFormat::kJson);
}
BENCHMARK(BM_ParsePlainJsonBatch100);
BENCHMARK(BM_ParseCloudEventsBatch100);
BENCHMARK(BM_ParsePlainJsonSingle);

}  // namespace
}  // namespace tributary::bench
