#include "pipeline/topology.h"

#include <spdlog/spdlog.h>

#include "buffer/composite_buffer.h"
#include "buffer/disk/disk_buffer.h"
#include "buffer/memory_buffer.h"
#include "pipeline/dead_letters.h"
#include "sinks/sink_type.h"
#include "sources/source.h"

namespace tributary {
namespace {

int DefaultLevel(Compression c) {
  return c == Compression::kGzip ? 6 : c == Compression::kZstd ? 3 : 0;
}

}  // namespace

Result<std::unique_ptr<Buffer>> Topology::MakeBuffer(const std::vector<std::string>& names,
                                                     const std::vector<QueueLimits>& limits) {
  std::vector<std::string> mem_names, disk_names;
  std::vector<QueueLimits> mem_limits, disk_limits;
  std::vector<bool> is_disk;
  for (size_t i = 0; i < names.size(); ++i) {
    bool disk = config_.sinks[i].queue.type == "disk";
    is_disk.push_back(disk);
    (disk ? disk_names : mem_names).push_back(names[i]);
    (disk ? disk_limits : mem_limits).push_back(limits[i]);
  }
  std::unique_ptr<Buffer> memory, disk;
  if (!mem_names.empty()) memory = std::make_unique<MemoryBuffer>(mem_names, mem_limits, &metrics_);
  if (!disk_names.empty()) {
    DiskQueueOptions opts;
    opts.dir = config_.storage.data_dir + "/queue";
    opts.fsync = config_.storage.fsync == "always"  ? FsyncPolicy::kAlways
                 : config_.storage.fsync == "never" ? FsyncPolicy::kNever
                                                    : FsyncPolicy::kInterval;
    opts.fsync_interval = config_.storage.fsync_interval;
    opts.segment_bytes = config_.storage.segment_bytes;
    auto opened = DiskBuffer::Open(opts, disk_names, disk_limits, metrics_);
    if (!opened) return Status(opened.status().code(), "disk queue: " + opened.status().message());
    DiskBuffer* d = opened->get();
    metrics_.AddGauge("tributary_queue_unsynced_bytes",
                      "Bytes acknowledged to producers but not yet synced to disk", "",
                      [d] { return static_cast<double>(d->unsynced_bytes()); });
    disk = std::move(*opened);
  }
  if (!disk) return memory;
  if (!memory) return disk;
  return std::unique_ptr<Buffer>(
      std::make_unique<CompositeBuffer>(std::move(memory), std::move(disk), is_disk));
}

Topology::Topology(Config config) : config_(std::move(config)) {}

Topology::~Topology() { Stop(); }

Status Topology::Start() {
  const Clock& clock = SystemClock::Get();
  // Sinks first: a source must never accept events that no sink can take.
  std::vector<SinkSubscription> subs;
  std::vector<std::string> names;
  std::vector<QueueLimits> limits;
  for (const SinkConfig& s : config_.sinks) {
    SinkSubscription sub{s.name, {}};
    for (const std::string& p : s.topics)
      sub.topics.push_back(*TopicPattern::Parse(p, config_.router.separators));
    subs.push_back(std::move(sub));
    names.push_back(s.name);
    limits.push_back(
        QueueLimits{s.queue.max_events, s.queue.max_bytes,
                    s.queue.when_full == "block" ? FullPolicy::kBlock : FullPolicy::kReject,
                    s.queue.block_timeout});
  }
  auto router = Router::Make(std::move(subs), config_.routes,
                             config_.router.fallback_sink.empty()
                                 ? std::nullopt
                                 : std::optional<std::string>(config_.router.fallback_sink));
  if (!router) return router.status();
  router_ = std::make_unique<Router>(std::move(*router));
  // The queue before the sinks: a disk queue locks its directory, so a second collector on
  // the same data_dir stops here, before a file sink completes the first one's open files.
  auto buffer = MakeBuffer(names, limits);
  if (!buffer) return buffer.status();
  buffer_ = std::move(*buffer);

  for (size_t i = 0; i < config_.sinks.size(); ++i) {
    const SinkConfig& s = config_.sinks[i];
    std::vector<std::unique_ptr<Sink>> instances;  // one per sender
    for (uint64_t k = 0; k < s.concurrency; ++k) {
      auto sink = s.build(SinkBuildContext{s.name,
                                           *ParseCompression(s.compression),
                                           clock,
                                           *ParseEncoding(s.encoding),
                                           {s.extensions, s.source, s.override_source}});
      if (!sink) return InvalidArgument("sink '" + s.name + "': " + sink.status().message());
      instances.push_back(std::move(*sink));
    }
    SinkRunnerOptions opts;
    opts.batch = s.batch;
    opts.encoding = *ParseEncoding(s.encoding);
    opts.compression = *ParseCompression(s.compression);
    opts.compression_level = s.compression_level ? static_cast<int>(s.compression_level)
                                                 : DefaultLevel(opts.compression);
    opts.retry.backoff = {s.retry.initial_backoff, s.retry.multiplier, s.retry.max_backoff};
    opts.retry.max_attempts = s.retry.max_attempts;
    opts.retry.max_elapsed = s.retry.max_elapsed;
    opts.retry.breaker_threshold = s.retry.breaker_threshold;
    opts.data_dir = config_.storage.data_dir;
    opts.enrichment = {s.extensions, s.source, s.override_source};
    opts.durable_queue = s.queue.type == "disk";
    SinkTraits traits = FindSinkType(s.type)->traits();
    opts.records = traits.records;
    opts.pieces = traits.pieces;
    QueueReader& reader = buffer_->Reader(i);
    std::string label = "sink=" + LabelValue(s.name);
    metrics_.AddGauge("tributary_queue_events", "Events in a sink's queue (not yet acknowledged)",
                      label, [&reader] { return static_cast<double>(reader.Stats().events); });
    metrics_.AddGauge("tributary_queue_bytes", "Event bytes in a sink's queue", label,
                      [&reader] { return static_cast<double>(reader.Stats().bytes); });
    metrics_.AddGauge("tributary_queue_oldest_event_age_seconds",
                      "Age of the oldest event not yet delivered by the sink", label,
                      [&reader, &clock] {
                        int64_t oldest = reader.Stats().oldest_ns;
                        return oldest ? static_cast<double>(clock.UnixNanos() - oldest) / 1e9 : 0.0;
                      });
    runners_.push_back(
        std::make_unique<SinkRunner>(s.name, std::move(instances), reader, opts, metrics_, clock));
  }
  ingest_ = std::make_unique<Ingest>(*router_, *buffer_, metrics_);
  replayer_ = std::make_unique<DeadLetterReplayer>(config_.storage.data_dir, names, *buffer_);
  for (auto& r : runners_) r->Start();
  started_ = true;

  for (const SourceConfig& src : config_.sources) {
    auto source = src.build(SourceContext{config_.api, *ingest_, metrics_, clock});
    Status st = source ? (*source)->Start() : source.status();
    if (!st.ok()) return InvalidArgument("source '" + src.name + "': " + st.message());
    sources_.push_back(std::move(*source));
  }
  for (const SinkConfig& s : config_.sinks) {
    spdlog::info("sink '{}' ({}): topics [{}], batches of up to {} events / {} bytes / {} ms",
                 s.name, s.type, fmt::join(s.topics, ", "), s.batch.max_events, s.batch.max_bytes,
                 s.batch.max_age.count());
  }
  return Status::Ok();
}

void Topology::Stop() {
  if (!started_) return;
  started_ = false;
  auto deadline = std::chrono::steady_clock::now() + config_.runtime.grace_period;
  if (ingest_) ingest_->StopAccepting();
  for (auto& s : sources_) s->Stop(deadline);
  replayer_.reset();
  if (buffer_) buffer_->Close();
  for (auto& r : runners_) r->Stop(deadline);
  runners_.clear();
  sources_.clear();
  // The disk buffer saves its ledger as it closes; the gauges that read it go unused now.
  ingest_.reset();
  buffer_.reset();
}

}  // namespace tributary
