#include "admin/collector_queue_metrics.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "tributary/collector_queue.h"

namespace tributary {
namespace {

TEST(CollectorQueueMetricsExport, RendersTheQueuesCountersAndGaugesAtMetrics) {
  Metrics metrics;
  auto queue = std::make_unique<CollectorQueue<int>>(
      std::vector<Collector<int>>{{"ok", [](const int&) {}},
                                  {"odd",
                                   [](const int& v) {
                                     if (v % 2) throw std::runtime_error("odd");
                                   }}},
      CollectorQueueOptions{.min_consumers = 2, .max_consumers = 2});
  ExportCollectorQueueMetrics(metrics, "sensors", queue->metrics_reader());
  queue->Start();
  for (int i = 0; i < 5; ++i) queue->publisher().Send({.value = i}).Wait();
  (void)queue->publisher().Send({.value = 0, .delivery = Delivery::kKey, .keys = {"none"}});

  std::string text = metrics.Render();
  EXPECT_NE(text.find("# TYPE tributary_collector_queue_runs_total counter\n"
                      "tributary_collector_queue_runs_total{queue=\"sensors\"} 10\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tributary_collector_queue_failed_runs_total{queue=\"sensors\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("tributary_collector_queue_published_total{queue=\"sensors\"} 6\n"),
            std::string::npos);
  EXPECT_NE(text.find("tributary_collector_queue_unrouted_total{queue=\"sensors\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE tributary_collector_queue_consumers gauge\n"
                      "tributary_collector_queue_consumers{queue=\"sensors\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("tributary_collector_queue_arrival_rate{queue=\"sensors\"} "),
            std::string::npos);

  queue.reset();  // a registry that outlives its queue reads zeros, never freed memory
  EXPECT_NE(metrics.Render().find("tributary_collector_queue_runs_total{queue=\"sensors\"} 0\n"),
            std::string::npos);
}

}  // namespace
}  // namespace tributary
