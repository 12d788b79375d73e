// Many publishers, many collectors, every delivery mode at once; run under ThreadSanitizer
// by the tsan preset (`make tsan`).

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tributary/collector_queue.h"

namespace tributary {
namespace {

TEST(CollectorQueueConcurrency, ManyPublishersManyCollectorsEveryResultArrivesOnce) {
  constexpr int kCollectors = 8, kPublishers = 8, kPerPublisher = 1500;
  std::vector<std::atomic<long>> runs(kCollectors);
  std::vector<Collector<int, int>> collectors;
  for (int c = 0; c < kCollectors; ++c) {
    collectors.push_back({"c" + std::to_string(c),
                          [&runs, c](const int& v, CollectorContext& ctx) {
                            ++runs[c];
                            if (v % 97 == 0) throw std::runtime_error("unlucky " + ctx.key());
                            return v + c;
                          },
                          {c % 2 ? "odd/#" : "even/#"},
                          std::nullopt,
                          c == 0});
  }
  CollectorQueue<int, int> q(
      std::move(collectors),
      {.min_consumers = 1, .max_consumers = 6, .queue_type = QueueType::kPriority});
  q.Start();
  std::atomic<long> expected_runs{0}, errors{0}, wrong{0};
  std::vector<std::thread> publishers;
  for (int p = 0; p < kPublishers; ++p) {
    publishers.emplace_back([&, p] {
      std::vector<std::pair<int, CollectorEvent<int>>> mine;
      for (int i = 0; i < kPerPublisher; ++i) {
        int v = p * kPerPublisher + i;
        Payload<int> payload{.value = v, .priority = v % 5};
        switch (v % 3) {
          case 0:
            expected_runs += kCollectors;
            break;
          case 1:
            payload.delivery = Delivery::kKey;
            payload.keys = {"c" + std::to_string(v % kCollectors)};
            expected_runs += 1;
            break;
          case 2:
            payload.delivery = Delivery::kTopic;
            payload.topics = {"odd/x"};
            expected_runs += kCollectors / 2;
            break;
        }
        mine.emplace_back(v, q.publisher().Send(std::move(payload)));
        if (i % 100 == 0) (void)q.metrics();  // readers race with the consumers too
      }
      for (auto& [v, e] : mine) {
        for (const auto& r : e.Wait()) {
          if (!r.ok()) {
            ++errors;
            continue;
          }
          int c = std::stoi(r.collector().substr(1));
          if (r.value() != v + c) ++wrong;
        }
      }
    });
  }
  for (auto& t : publishers) t.join();
  StopReport report = q.Stop();
  long total = 0;
  for (auto& r : runs) total += r;
  EXPECT_EQ(total, expected_runs.load());
  EXPECT_EQ(wrong.load(), 0);
  CollectorQueueMetrics m = q.metrics();
  EXPECT_EQ(m.runs, static_cast<uint64_t>(total));
  EXPECT_EQ(m.failed_runs, static_cast<uint64_t>(errors.load()));
  EXPECT_GT(errors.load(), 0);
  EXPECT_EQ(m.published, static_cast<uint64_t>(kPublishers * kPerPublisher));
  EXPECT_EQ(report.abandoned_runs, 0u);
  EXPECT_LE(m.peak_consumers, 6u);
}

}  // namespace
}  // namespace tributary
