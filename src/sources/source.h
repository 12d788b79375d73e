#pragma once
// The seam every source implements: take events from outside, hand them to Ingest, and
// acknowledge them (an HTTP 202, a committed Kafka offset) only once Ingest reports them
// queued. Each source type's parser sets SourceConfig::build; sources/registry.cc lists them.

#include <memory>

#include "admin/metrics.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "pipeline/ingest.h"

namespace tributary {

class Source {
 public:
  virtual ~Source() = default;
  // Starts taking events. Errors name what failed (an address in use, a bad property).
  virtual Status Start() = 0;
  // Stops taking events and finishes what is in flight, by `deadline`.
  virtual void Stop(SteadyTime deadline) = 0;
};

struct SourceContext {
  const ApiConfig& api;
  Ingest& ingest;
  Metrics& metrics;
  const Clock& clock;
};

}  // namespace tributary
