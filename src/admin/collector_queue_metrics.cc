#include "admin/collector_queue_metrics.h"

#include <memory>

namespace tributary {

void ExportCollectorQueueMetrics(Metrics& metrics, const std::string& queue,
                                 std::function<CollectorQueueMetrics()> read) {
  auto reader = std::make_shared<std::function<CollectorQueueMetrics()>>(std::move(read));
  const std::string labels = "queue=" + LabelValue(queue);
  auto field = [&](const char* name, const char* help, bool counter, auto member) {
    auto get = [reader, member] { return static_cast<double>((*reader)().*member); };
    if (counter) {
      metrics.AddCounter(name, help, labels, get);
    } else {
      metrics.AddGauge(name, help, labels, get);
    }
  };
  using M = CollectorQueueMetrics;
  field("tributary_collector_queue_queued_runs", "collector runs waiting for a consumer", false,
        &M::queued);
  field("tributary_collector_queue_consumers", "consumer threads alive", false, &M::consumers);
  field("tributary_collector_queue_busy_consumers", "consumers running a collector", false,
        &M::busy);
  field("tributary_collector_queue_load", "busy consumers / consumers", false, &M::load);
  field("tributary_collector_queue_arrival_rate", "payloads published per second (1 s average)",
        false, &M::arrival_rate);
  field("tributary_collector_queue_service_rate",
        "collector runs finished per second (1 s average)", false, &M::service_rate);
  field("tributary_collector_queue_mean_wait_seconds", "mean time a run waited for a consumer",
        false, &M::mean_wait_seconds);
  field("tributary_collector_queue_mean_service_seconds", "mean time a collector run took", false,
        &M::mean_service_seconds);
  field("tributary_collector_queue_published_total", "payloads accepted", true, &M::published);
  field("tributary_collector_queue_rejected_total", "payloads sent while the queue was not running",
        true, &M::rejected);
  field("tributary_collector_queue_unrouted_total", "payloads that matched no collector", true,
        &M::unrouted);
  field("tributary_collector_queue_runs_total", "collector runs finished", true, &M::runs);
  field("tributary_collector_queue_failed_runs_total", "collector runs with an error result", true,
        &M::failed_runs);
  field("tributary_collector_queue_abandoned_runs_total",
        "runs never started because Stop's timeout ran out", true, &M::abandoned_runs);
}

}  // namespace tributary
