// The consumer pool grows with work in progress up to max_consumers, shrinks back to
// min_consumers when idle, and never leaves the bounds or interrupts a payload.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "gate.h"
#include "tributary/collector_queue.h"

namespace tributary {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::Gate;

// Samples the pool size until stopped; remembers the extremes.
class PoolWatch {
 public:
  template <typename Q>
  explicit PoolWatch(const Q& q)
      : thread_([this, read = q.metrics_reader()] {
          while (!stop_) {
            size_t n = read().consumers;
            low_ = std::min(low_.load(), n);
            high_ = std::max(high_.load(), n);
            std::this_thread::sleep_for(100us);
          }
        }) {}
  ~PoolWatch() {
    stop_ = true;
    thread_.join();
  }
  size_t low() const { return low_; }
  size_t high() const { return high_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<size_t> low_{SIZE_MAX}, high_{0};
  std::thread thread_;
};

TEST(ElasticConsumers, ABurstGrowsThePoolToMaxAndIdlenessShrinksItToMin) {
  Gate gate;
  std::atomic<int> finished{0};
  CollectorQueue<int> q({{"slow",
                          [&](const int&) {
                            gate.Pass();
                            ++finished;
                          }}},
                        {.min_consumers = 2, .max_consumers = 6, .idle_timeout = 50ms});
  q.Start();
  PoolWatch watch(q);
  EXPECT_EQ(q.metrics().consumers, 2u);
  std::vector<CollectorEvent<std::monostate>> burst;
  for (int i = 0; i < 40; ++i) burst.push_back(q.publisher().Send({.value = i}));
  gate.AwaitWaiting(6);  // six payloads run at once: the pool reached its maximum
  CollectorQueueMetrics m = q.metrics();
  EXPECT_EQ(m.consumers, 6u);
  EXPECT_EQ(m.busy, 6u);
  EXPECT_EQ(m.queued, 34u);
  EXPECT_DOUBLE_EQ(m.load, 1.0);
  gate.Open();
  for (auto& e : burst) EXPECT_TRUE(e.Wait().AllOk());  // shrinking interrupted none
  EXPECT_EQ(finished.load(), 40);
  EXPECT_TRUE(Eventually([&] { return q.metrics().consumers == 2; }));
  EXPECT_EQ(q.metrics().peak_consumers, 6u);
  EXPECT_GE(watch.low(), 2u);
  EXPECT_LE(watch.high(), 6u);
  q.Stop();
}

TEST(ElasticConsumers, GrowthFollowsWorkInProgressWithHeadroom) {
  Gate gate;
  CollectorQueue<int> q({{"slow", [&](const int&) { gate.Pass(); }}},
                        {.min_consumers = 1, .max_consumers = 16, .idle_timeout = 50ms});
  auto running = q.StartScoped();
  std::vector<CollectorEvent<std::monostate>> events;
  for (int i = 0; i < 4; ++i) events.push_back(q.publisher().Send({.value = i}));
  gate.AwaitWaiting(4);
  // 4 in progress: one consumer each, never more than ceil(4 x 1.25) = 5.
  EXPECT_GE(q.metrics().consumers, 4u);
  EXPECT_LE(q.metrics().consumers, 5u);
  gate.Open();
  for (auto& e : events) e.Wait();
  EXPECT_TRUE(Eventually([&] { return q.metrics().consumers == 1; }));
}

TEST(ElasticConsumers, AnIdlePoolAtMinimumStaysThere) {
  CollectorQueue<int> q({{"c", [](const int&) {}}},
                        {.min_consumers = 3, .max_consumers = 4, .idle_timeout = 5ms});
  auto running = q.StartScoped();
  std::this_thread::sleep_for(50ms);  // ten idle timeouts
  EXPECT_EQ(q.metrics().consumers, 3u);
}

TEST(ElasticConsumers, AnExclusiveCollectorRunsOnePayloadAtATime) {
  std::atomic<int> inside{0}, most{0};
  CollectorQueue<int> q({{"serial",
                          [&](const int&) {
                            int now = ++inside;
                            most = std::max(most.load(), now);
                            std::this_thread::sleep_for(200us);
                            --inside;
                          },
                          {},
                          std::nullopt,
                          true},
                         {"parallel", [](const int&) {}}},
                        {.min_consumers = 4, .max_consumers = 4});
  auto running = q.StartScoped();
  std::vector<CollectorEvent<std::monostate>> events;
  for (int i = 0; i < 200; ++i) events.push_back(q.publisher().Send({.value = i}));
  for (auto& e : events) e.Wait();
  EXPECT_EQ(most.load(), 1);
}

}  // namespace
}  // namespace tributary
