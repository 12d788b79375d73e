#pragma once
// Topology builds the running pipeline from a Config (sources → router → buffer → sink
// runners) and takes it down in order on shutdown.

#include <memory>
#include <vector>

#include "admin/metrics.h"
#include "buffer/queue.h"
#include "config/config.h"
#include "pipeline/ingest.h"
#include "pipeline/sink_runner.h"
#include "routing/router.h"

namespace tributary {

class Source;
class DeadLetterReplayer;

class Topology {
 public:
  explicit Topology(Config config);
  ~Topology();

  // Builds sinks, buffer and sources and starts them. Errors name the component.
  Status Start();
  // Stops intake, finishes requests, delivers what is queued (within the grace period)
  // and closes the sinks.
  void Stop();

  Metrics& metrics() { return metrics_; }
  const Config& config() const { return config_; }

 private:
  Result<std::unique_ptr<Buffer>> MakeBuffer(const std::vector<std::string>& names,
                                             const std::vector<QueueLimits>& limits);

  Config config_;
  Metrics metrics_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<Ingest> ingest_;
  std::vector<std::unique_ptr<SinkRunner>> runners_;
  std::unique_ptr<DeadLetterReplayer> replayer_;
  std::vector<std::unique_ptr<Source>> sources_;
  bool started_ = false;
};

}  // namespace tributary
