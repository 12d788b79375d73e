// Batch encoding (from attributes, and by copying the JSON a disk queue read back) and
// compression of a 1000-event batch.
#include <benchmark/benchmark.h>

#include "bench_bodies.h"
#include "buffer/disk/record.h"
#include "format/compression.h"
#include "format/encoder.h"

namespace tributary::bench {
namespace {

void RunEncode(benchmark::State& state, const EventBatch& batch, Encoding encoding) {
  auto encoder = MakeEncoder(encoding);
  std::string out;
  for (auto _ : state) {
    out.clear();
    encoder->Begin(out);
    for (size_t i = 0; i < batch.size(); ++i)
      encoder->Append(batch, batch.events()[i], i == 0, out);
    encoder->Finish(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
}

std::shared_ptr<EventBatch> Events() {
  static auto batch = Parse(Array(1000, CloudEvent), BodyFormat::kBatch);
  return batch;
}

// Plain JSON objects mapped to CloudEvents (generated id and time): what the HTTP source
// hands a memory-queued sink in the e2e blackhole case.
std::shared_ptr<EventBatch> MappedEvents() {
  static auto batch = Parse(Array(1000, PlainEvent), BodyFormat::kJson);
  return batch;
}

void BM_EncodeNdjsonFromAttributes(benchmark::State& state) {
  RunEncode(state, *Events(), Encoding::kNdjson);
}
void BM_EncodeNdjsonFromMappedAttributes(benchmark::State& state) {
  RunEncode(state, *MappedEvents(), Encoding::kNdjson);
}
void BM_EncodeCloudEventsBatchFromAttributes(benchmark::State& state) {
  RunEncode(state, *Events(), Encoding::kCloudEventsBatch);
}
void BM_EncodeNdjsonFromStoredJson(benchmark::State& state) {
  auto batch = Events();
  std::vector<SinkMask> masks(batch->size(), 1);
  std::string payload;
  std::vector<uint32_t> sizes;
  EncodeRecord(*batch, masks, payload, sizes);
  auto decoded = DecodeRecord(payload, /*attributes=*/false);
  RunEncode(state, *decoded->batch, Encoding::kNdjson);
}
BENCHMARK(BM_EncodeNdjsonFromAttributes);
BENCHMARK(BM_EncodeNdjsonFromMappedAttributes);
BENCHMARK(BM_EncodeCloudEventsBatchFromAttributes);
BENCHMARK(BM_EncodeNdjsonFromStoredJson);

void BM_Compress(benchmark::State& state) {
  auto c = static_cast<Compression>(state.range(0));
  std::string body;
  auto encoder = MakeEncoder(Encoding::kNdjson);
  auto batch = Events();
  for (const Event& e : batch->events()) encoder->Append(*batch, e, false, body);
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!Compress(c, c == Compression::kGzip ? 6 : 3, body, out).ok())
      state.SkipWithError("compress failed");
  }
  state.SetLabel(std::string(CompressionName(c)) + ", ratio " +
                 std::to_string(static_cast<double>(body.size()) / out.size()).substr(0, 4));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_Compress)
    ->Arg(static_cast<int>(Compression::kGzip))
    ->Arg(static_cast<int>(Compression::kZstd));

}  // namespace
}  // namespace tributary::bench
