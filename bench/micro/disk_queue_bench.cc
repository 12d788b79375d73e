// The disk queue: appending batches of 100 events (fsync `never`, so that the figure is
// the queue's own cost) and reading them back as a sink that copies JSON does.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "admin/metrics.h"
#include "bench_bodies.h"
#include "buffer/disk/crc32c.h"
#include "buffer/disk/disk_buffer.h"
#include "buffer/disk/record.h"

namespace tributary::bench {
namespace {

// One fragment of the log's framing: up to a 32 KiB block, checksummed on write and read.
void BM_Crc32cFragment(benchmark::State& state) {
  std::string data(32761, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131);
  for (auto _ : state) benchmark::DoNotOptimize(crc32c::Value(data.data(), data.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Crc32cFragment);

void BM_RecordEncode100(benchmark::State& state) {
  auto batch = Parse(Array(100, CloudEvent), BodyFormat::kBatch);
  std::vector<SinkMask> masks(batch->size(), 1);
  std::string payload;
  std::vector<uint32_t> sizes;
  for (auto _ : state) {
    payload.clear();
    sizes.clear();
    EncodeRecord(*batch, masks, payload, sizes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch->size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(BM_RecordEncode100);

void BM_RecordDecode100(benchmark::State& state) {
  bool attributes = state.range(0) != 0;
  auto batch = Parse(Array(100, CloudEvent), BodyFormat::kBatch);
  std::vector<SinkMask> masks(batch->size(), 1);
  std::string payload;
  std::vector<uint32_t> sizes;
  EncodeRecord(*batch, masks, payload, sizes);
  for (auto _ : state) benchmark::DoNotOptimize(DecodeRecord(payload, attributes));
  state.SetLabel(attributes ? "with attributes" : "JSON only");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch->size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(BM_RecordDecode100)->Arg(1)->Arg(0);

void BM_DiskQueueAppendAndRead100(benchmark::State& state) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("tributary-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Metrics metrics;
  DiskQueueOptions opts;
  opts.dir = dir.string();
  opts.fsync = FsyncPolicy::kNever;
  QueueLimits limits;
  limits.max_events = 100'000'000;
  limits.max_bytes = 64ull << 30;
  auto buffer = DiskBuffer::Open(opts, {"s"}, {limits}, metrics);
  if (!buffer.ok()) {
    state.SkipWithError(buffer.status().message().c_str());
    return;
  }
  QueueReader& reader = (*buffer)->Reader(0);
  reader.SetJsonOnly(true);
  auto batch = Parse(Array(100, CloudEvent), BodyFormat::kBatch);
  std::vector<SinkMask> masks(batch->size(), 1);
  std::vector<QueuedEvent> got;
  for (auto _ : state) {
    std::promise<bool> appended;  // the writer thread answers once the batch is written
    (*buffer)->Append(batch, masks, [&](AppendOutcome o) { appended.set_value(o.status.ok()); });
    if (!appended.get_future().get()) state.SkipWithError("append failed");
    size_t n = 0;
    while (n < batch->size()) {
      got.clear();
      n += reader.Read(got, batch->size() - n,
                       std::chrono::steady_clock::now() + std::chrono::seconds(1));
    }
    reader.Ack(n);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch->size()));
  buffer->reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_DiskQueueAppendAndRead100)->UseRealTime();

}  // namespace
}  // namespace tributary::bench
