#pragma once
// The untyped core of a collector queue: collectors, routing, the ordered run queue, the
// elastic consumer pool, lifecycles and metrics. CollectorQueue<T, R> is a typed face on it.
//
// Threading: every public member may be called from any thread. Processors run on the
// consumer threads; lifecycles run on the thread that calls Start and Stop.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tributary/collector.h"
#include "tributary/detail/work.h"
#include "tributary/payload.h"
#include "tributary/queue_options.h"

namespace tributary::detail {

struct CollectorSpec {
  std::string key;
  std::vector<std::string> topics;
  std::optional<CollectorLifecycle> lifecycle;
  bool exclusive = false;
};

class QueueEngine {
 public:
  // Throws std::invalid_argument for duplicate or empty keys, bad topic patterns and
  // inconsistent consumer bounds, naming the collector or option.
  QueueEngine(std::vector<CollectorSpec> collectors, CollectorQueueOptions options);
  ~QueueEngine();  // Stop() with its default timeout if still running
  QueueEngine(const QueueEngine&) = delete;
  QueueEngine& operator=(const QueueEngine&) = delete;

  // Runs every setup once, in registration order, then starts min_consumers. A setup
  // that throws tears down those already set up and throws std::runtime_error.
  void Start();
  // Stops intake, lets queued and running payloads finish until `timeout`, fails the
  // runs still queued then, waits for those running, and runs every teardown once.
  StopReport Stop(std::chrono::milliseconds timeout);
  bool running() const;

  // The default router: indices of the collectors a payload goes to, in registration order.
  std::vector<size_t> Route(Delivery delivery, const std::vector<std::string>& keys,
                            const std::vector<std::string>& topics) const;
  // Indices of the collectors with these keys; throws std::invalid_argument on a key no
  // collector has (a custom router's mistake).
  std::vector<size_t> Resolve(const std::vector<std::string>& keys) const;
  const std::string& key(size_t collector) const;
  int default_priority() const;

  // Queues one run per target. `work` must be armed by nobody else. With no targets, or
  // when the queue is not running, the payload completes at once (failed slots say why).
  void Submit(const std::shared_ptr<Work>& work, std::span<const size_t> targets, int priority);

  CollectorQueueMetrics Metrics() const;
  // Reads the metrics for as long as anyone holds the function, also after the queue is
  // gone (then zeros): for registries that outlive the queue.
  std::function<CollectorQueueMetrics()> MetricsReader() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tributary::detail
