// Queue types with one consumer, so that the order of service is observable: a first
// payload holds the consumer at a gate while the rest queue up behind it.

#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <vector>

#include "gate.h"
#include "tributary/collector_queue.h"

namespace tributary {
namespace {

using testing::Gate;

struct Job {
  int id;
  bool hold = false;  // waits at the gate
};

class Ordering {
 public:
  explicit Ordering(CollectorQueueOptions options)
      : queue_({{"log",
                 [this](const Job& job) {
                   if (job.hold) gate_.Pass();
                   std::lock_guard lock(mu_);
                   served_.push_back(job.id);
                 }}},
               WithOneConsumer(options)) {
    queue_.Start();
    events_.push_back(queue_.publisher().Send({.value = {0, true}}));
    gate_.AwaitWaiting(1);  // the consumer is busy: everything else now queues
  }

  void Send(int id, std::optional<int> priority = std::nullopt) {
    events_.push_back(queue_.publisher().Send({.value = {id}, .priority = priority}));
  }

  // Opens the gate, waits for everything, and returns the order of service after the first.
  std::vector<int> Served() {
    gate_.Open();
    for (auto& e : events_) e.Wait();
    std::lock_guard lock(mu_);
    return std::vector<int>(served_.begin() + 1, served_.end());
  }

 private:
  static CollectorQueueOptions WithOneConsumer(CollectorQueueOptions o) {
    o.min_consumers = o.max_consumers = 1;
    return o;
  }

  Gate gate_;
  std::mutex mu_;
  std::vector<int> served_;
  CollectorQueue<Job> queue_;
  std::vector<CollectorEvent<std::monostate>> events_;
};

TEST(CollectorQueueOrder, FifoServesInPublicationOrder) {
  Ordering o({.queue_type = QueueType::kFifo});
  for (int i = 1; i <= 5; ++i) o.Send(i);
  EXPECT_EQ(o.Served(), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(CollectorQueueOrder, LifoServesTheLastPublishedFirst) {
  Ordering o({.queue_type = QueueType::kLifo});
  for (int i = 1; i <= 5; ++i) o.Send(i);
  EXPECT_EQ(o.Served(), (std::vector<int>{5, 4, 3, 2, 1}));
}

TEST(CollectorQueueOrder, PriorityServesLowerNumbersFirstAndTiesInPublicationOrder) {
  Ordering o({.queue_type = QueueType::kPriority});
  o.Send(1, 5);
  o.Send(2, 1);
  o.Send(3, 3);
  o.Send(4, 1);
  o.Send(5, 5);
  o.Send(6, 1);
  EXPECT_EQ(o.Served(), (std::vector<int>{2, 4, 6, 3, 1, 5}));
}

TEST(CollectorQueueOrder, APayloadWithoutPriorityTakesTheDefaultOf1000) {
  Ordering o({.queue_type = QueueType::kPriority});
  o.Send(1, 1001);
  o.Send(2);  // 1000
  o.Send(3, 999);
  o.Send(4, 1000);  // ties with 2: after it
  EXPECT_EQ(o.Served(), (std::vector<int>{3, 2, 4, 1}));
}

TEST(CollectorQueueOrder, TheDefaultPriorityIsAnOption) {
  Ordering o({.queue_type = QueueType::kPriority, .default_priority = 10});
  o.Send(1, 20);
  o.Send(2);  // 10
  o.Send(3, 5);
  EXPECT_EQ(o.Served(), (std::vector<int>{3, 2, 1}));
}

}  // namespace
}  // namespace tributary
