// Waiting on results, lifecycles, stopping with work in flight, and wait/service times.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "gate.h"
#include "tributary/collector_queue.h"

namespace tributary {
namespace {

using namespace std::chrono_literals;
using testing::Gate;

TEST(CollectorEvents, GetResultIsEmptyUntilDoneAndWaitForTimesOut) {
  Gate gate;
  CollectorQueue<int, int> q({{"double", [&](const int& v) {
                                 gate.Pass();
                                 return 2 * v;
                               }}});
  auto running = q.StartScoped();
  CollectorEvent<int> e = q.publisher().Send({.value = 21});
  gate.AwaitWaiting(1);
  EXPECT_FALSE(e.is_done());
  EXPECT_EQ(e.GetResult(), nullptr);
  EXPECT_FALSE(e.WaitFor(20ms));
  gate.Open();
  EXPECT_TRUE(e.WaitFor(1min));
  ASSERT_NE(e.GetResult(), nullptr);
  EXPECT_EQ(e.GetResult()->First()->value(), 42);
  EXPECT_EQ(&e.Wait(), e.GetResult());
}

TEST(CollectorEvents, WaitAndServiceTimesCoverTheQueueAndTheWork) {
  Gate gate;
  CollectorQueue<int> q({{"slow",
                          [&](const int& v) {
                            if (v == 0) gate.Pass();
                            std::this_thread::sleep_for(20ms);
                          }}},
                        {.min_consumers = 1, .max_consumers = 1});
  auto running = q.StartScoped();
  auto first = q.publisher().Send({.value = 0});
  gate.AwaitWaiting(1);
  auto second = q.publisher().Send({.value = 1});
  std::this_thread::sleep_for(10ms);  // `second` waits at least this long behind `first`
  gate.Open();
  second.Wait();
  EXPECT_GE(second.wait_time(), 20ms);  // queued behind first's 20 ms of work (and more)
  EXPECT_GE(second.service_time(), 20ms);
  EXPECT_GE(first.service_time(), 20ms);
  EXPECT_GT(q.metrics().mean_service_seconds, 0.019);
}

struct Connection {
  explicit Connection(std::atomic<int>* open) : open(open) { ++*open; }
  ~Connection() { --*open; }
  std::atomic<int>* open;
};

TEST(CollectorLifecycles, SetupAndTeardownRunExactlyOnceAroundEveryPayload) {
  std::atomic<int> setups{0}, teardowns{0}, open{0}, seen_without_setup{0};
  CollectorLifecycle lifecycle{.setup =
                                   [&](CollectorContext& c) {
                                     ++setups;
                                     c.Emplace<Connection>(&open);
                                   },
                               .teardown =
                                   [&](CollectorContext& c) {
                                     ++teardowns;
                                     c.Reset();
                                   }};
  {
    CollectorQueue<int> q({{"db",
                            [&](const int&, CollectorContext& c) {
                              if (!c.has_state() || c.Get<Connection>().open != &open)
                                ++seen_without_setup;
                            },
                            {},
                            lifecycle}},
                          {.max_consumers = 8});
    EXPECT_EQ(setups.load(), 0);  // not before Start
    q.Start();
    EXPECT_EQ(setups.load(), 1);
    std::vector<CollectorEvent<std::monostate>> events;
    for (int i = 0; i < 200; ++i) events.push_back(q.publisher().Send({.value = i}));
    for (auto& e : events) EXPECT_TRUE(e.Wait().AllOk());
    EXPECT_EQ(teardowns.load(), 0);
    StopReport report = q.Stop();
    EXPECT_EQ(report.abandoned_runs, 0u);
    EXPECT_EQ(teardowns.load(), 1);
    EXPECT_EQ(open.load(), 0);  // the state went with the teardown
    q.Stop();                   // a second Stop does nothing
  }                             // and neither does the destructor
  EXPECT_EQ(setups.load(), 1);
  EXPECT_EQ(teardowns.load(), 1);
  EXPECT_EQ(seen_without_setup.load(), 0);
}

TEST(CollectorLifecycles, AFailedSetupUndoesTheOthersAndSaysWhichCollector) {
  std::atomic<int> teardowns{0};
  CollectorQueue<int> q(
      {{"ok",
        [](const int&) {},
        {},
        CollectorLifecycle{.setup = [](CollectorContext&) {},
                           .teardown = [&](CollectorContext&) { ++teardowns; }}},
       {"broken", [](const int&) {}, {}, CollectorLifecycle{.setup = [](CollectorContext&) {
          throw std::runtime_error("cannot open /nonexistent/db");
        }}}});
  try {
    q.Start();
    FAIL() << "expected Start to throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "collector `broken`: setup failed: cannot open /nonexistent/db");
  }
  EXPECT_EQ(teardowns.load(), 1);
  EXPECT_FALSE(q.running());
}

TEST(CollectorLifecycles, StopLetsInFlightWorkFinishFailsWhatNeverStartedThenTearsDown) {
  Gate gate;
  std::atomic<bool> running_payload_finished{false};
  std::atomic<bool> teardown_after_it{false};
  CollectorQueue<int, int> q({{"slow",
                               [&](const int& v) {
                                 if (v == 0) {
                                   gate.Pass();
                                   running_payload_finished = true;
                                 }
                                 return v;
                               },
                               {},
                               CollectorLifecycle{.teardown =
                                                      [&](CollectorContext&) {
                                                        teardown_after_it =
                                                            running_payload_finished.load();
                                                      }}}},
                             {.min_consumers = 1, .max_consumers = 1});
  q.Start();
  auto in_flight = q.publisher().Send({.value = 0});
  gate.AwaitWaiting(1);
  auto queued1 = q.publisher().Send({.value = 1});
  auto queued2 = q.publisher().Send({.value = 2});
  std::thread opener([&] {
    std::this_thread::sleep_for(100ms);  // past Stop's timeout
    gate.Open();
  });
  StopReport report = q.Stop(20ms);
  opener.join();
  EXPECT_EQ(report.overran_runs, 1u);
  EXPECT_EQ(report.abandoned_runs, 2u);
  EXPECT_EQ(report.abandoned_payloads, 2u);
  EXPECT_TRUE(report.teardown_errors.empty());
  EXPECT_TRUE(teardown_after_it.load());  // teardown waited for the payload in flight
  EXPECT_EQ(in_flight.Wait().First()->value(), 0);
  ASSERT_TRUE(queued1.is_done());
  EXPECT_NE(queued1.GetResult()->First()->error().find("stopped before this payload's turn"),
            std::string::npos);
  EXPECT_FALSE(queued2.Wait().AllOk());
  EXPECT_EQ(q.metrics().abandoned_runs, 2u);
}

TEST(CollectorLifecycles, StopDrainsEverythingQueuedWithinItsTimeout) {
  std::atomic<int> done{0};
  CollectorQueue<int> q({{"c",
                          [&](const int&) {
                            std::this_thread::sleep_for(1ms);
                            ++done;
                          }}},
                        {.min_consumers = 1, .max_consumers = 2});
  q.Start();
  for (int i = 0; i < 50; ++i) (void)q.publisher().Send({.value = i});
  StopReport report = q.Stop(1min);
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(report.abandoned_runs, 0u);
  EXPECT_EQ(report.overran_runs, 0u);
}

TEST(CollectorLifecycles, TeardownErrorsAreReportedNotThrown) {
  CollectorQueue<int> q(
      {{"leaky", [](const int&) {}, {}, CollectorLifecycle{.teardown = [](CollectorContext&) {
          throw std::runtime_error("flush failed");
        }}}});
  q.Start();
  StopReport report = q.Stop();
  ASSERT_EQ(report.teardown_errors.size(), 1u);
  EXPECT_EQ(report.teardown_errors[0], "collector `leaky`: flush failed");
}

TEST(CollectorLifecycles, ARestartRunsSetupAgain) {
  std::atomic<int> setups{0};
  CollectorQueue<int> q(
      {{"c", [](const int&) {}, {}, CollectorLifecycle{.setup = [&](CollectorContext&) {
          ++setups;
        }}}});
  q.Start();
  q.Stop();
  q.Start();
  EXPECT_TRUE(q.publisher().Send({.value = 1}).Wait().AllOk());
  q.Stop();
  EXPECT_EQ(setups.load(), 2);
}

}  // namespace
}  // namespace tributary
