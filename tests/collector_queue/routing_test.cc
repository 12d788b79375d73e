// Delivery modes, custom routers and results.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tributary/collector_queue.h"

namespace tributary {
namespace {

// Collectors that answer with their own key, subscribed to the given topics.
Collector<int, std::string> Echo(std::string key, std::vector<std::string> topics = {}) {
  return {key, [key](const int& v) { return key + ":" + std::to_string(v); }, std::move(topics)};
}

std::vector<std::string> Collectors(const ResultList<std::string>& results) {
  std::vector<std::string> keys;
  for (const auto& r : results) keys.push_back(r.collector());
  return keys;
}

using Keys = std::vector<std::string>;

TEST(CollectorQueueRouting, BroadcastReachesEveryCollectorAndIsTheDefault) {
  CollectorQueue<int, std::string> q({Echo("a"), Echo("b"), Echo("c")});
  auto running = q.StartScoped();
  const auto& results = q.publisher().Send({.value = 7}).Wait();
  EXPECT_EQ(Collectors(results), (Keys{"a", "b", "c"}));
  EXPECT_EQ(results.Find("b")->value(), "b:7");
}

TEST(CollectorQueueRouting, KeyDeliveryReachesOnlyThoseKeys) {
  CollectorQueue<int, std::string> q({Echo("a"), Echo("b"), Echo("c")});
  auto running = q.StartScoped();
  auto e = q.publisher().Send({.value = 1, .delivery = Delivery::kKey, .keys = {"c", "a", "c"}});
  EXPECT_EQ(Collectors(e.Wait()), (Keys{"a", "c"}));  // registration order, each once
  auto none =
      q.publisher().Send({.value = 1, .delivery = Delivery::kKey, .keys = {"nobody"}}).Wait();
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.First(), nullptr);
}

TEST(CollectorQueueRouting, TopicDeliveryMatchesPatternsOfAnyTopic) {
  CollectorQueue<int, std::string> q({Echo("temps", {"sensors/+/temperature"}),
                                      Echo("all", {"sensors/#"}),
                                      Echo("attic", {"sensors.attic.#"}), Echo("deaf")});
  auto running = q.StartScoped();
  auto send = [&](std::vector<std::string> topics) {
    return Collectors(
        q.publisher().Send({.value = 0, .delivery = Delivery::kTopic, .topics = topics}).Wait());
  };
  EXPECT_EQ(send({"sensors/kitchen/temperature"}), (Keys{"temps", "all"}));
  EXPECT_EQ(send({"sensors/attic/humidity"}), (Keys{"all", "attic"}));  // "/" and "." both split
  EXPECT_EQ(send({"lights/on", "sensors/attic/temperature"}), (Keys{"temps", "all", "attic"}));
  EXPECT_EQ(send({"lights/on"}), Keys{});
  EXPECT_EQ(send({}), Keys{});
}

TEST(CollectorQueueRouting, NoMatchIsAnEmptyListAtOnceAndCounted) {
  CollectorQueue<int, std::string> q({Echo("a", {"x"})});
  auto running = q.StartScoped();
  auto e = q.publisher().Send({.value = 0, .delivery = Delivery::kTopic, .topics = {"y"}});
  EXPECT_TRUE(e.is_done());
  ASSERT_NE(e.GetResult(), nullptr);
  EXPECT_TRUE(e.GetResult()->empty());
  EXPECT_EQ(q.metrics().unrouted, 1u);
  EXPECT_EQ(q.metrics().published, 1u);
}

TEST(CollectorQueueRouting, ACustomRouterReplacesTheDefaultOne) {
  // Even values to "even", odd to "odd", multiples of 3 also to "three".
  CollectorQueue<int, std::string> q({Echo("even"), Echo("odd"), Echo("three")}, {},
                                     [](const Payload<int>& p) {
                                       Keys keys{p.value % 2 ? "odd" : "even"};
                                       if (p.value % 3 == 0) keys.push_back("three");
                                       return keys;
                                     });
  auto running = q.StartScoped();
  EXPECT_EQ(Collectors(q.publisher().Send({.value = 6}).Wait()), (Keys{"even", "three"}));
  EXPECT_EQ(Collectors(q.publisher().Send({.value = 5}).Wait()), (Keys{"odd"}));
}

TEST(CollectorQueueRouting, ARouterNamingAnUnknownCollectorIsRefusedAtSend) {
  CollectorQueue<int, std::string> q({Echo("a")}, {}, [](const Payload<int>&) {
    return Keys{"a", "ghost"};
  });
  auto running = q.StartScoped();
  try {
    (void)q.publisher().Send({.value = 1});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("`ghost`"), std::string::npos) << e.what();
  }
}

TEST(CollectorQueueRouting, BadDefinitionsAreRefusedWithTheirName) {
  auto message = [](auto make) {
    try {
      make();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([] {
              CollectorQueue<int, std::string> q({Echo("a"), Echo("a")});
            }).find("two collectors have the key `a`"),
            std::string::npos);
  EXPECT_NE(message([] {
              CollectorQueue<int, std::string> q({Echo("a", {"x/#/y"})});
            }).find("collector `a`: topic pattern `x/#/y`"),
            std::string::npos);
  EXPECT_NE(message([] {
              CollectorQueue<int, std::string> q({Echo("a")},
                                                 {.min_consumers = 4, .max_consumers = 2});
            }).find("max_consumers (2) is below min_consumers (4)"),
            std::string::npos);
}

TEST(CollectorQueueResults, AFailingCollectorFailsAloneAndWaitNeverThrows) {
  CollectorQueue<int, std::string> q(
      {Echo("first"),
       {"thrower", [](const int&) -> std::string { throw std::runtime_error("sensor offline"); }},
       {"refuser",
        [](const int& v) -> CollectorResult<std::string> {
          if (v < 0) return CollectorError{"negative readings are not stored"};
          return std::string("stored");
        }},
       Echo("last")},
      {.max_consumers = 4});
  auto running = q.StartScoped();
  const ResultList<std::string>& r = q.publisher().Send({.value = -1}).Wait();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_FALSE(r.AllOk());
  EXPECT_TRUE(r[0].ok());
  EXPECT_EQ(r.First()->value(), "first:-1");
  EXPECT_FALSE(r[1].ok());
  EXPECT_EQ(r[1].error(), "processor threw: sensor offline");
  EXPECT_FALSE(r[2].ok());
  EXPECT_EQ(r[2].error(), "negative readings are not stored");
  EXPECT_TRUE(r[3].ok());
  EXPECT_EQ(r[3].value(), "last:-1");
  EXPECT_THROW((void)r[1].value(), std::logic_error);
  EXPECT_EQ(q.metrics().failed_runs, 2u);
  EXPECT_EQ(q.publisher().Send({.value = 1}).Wait()[2].value(), "stored");
}

TEST(CollectorQueueResults, ProcessorsWithoutAResultAreFireAndForget) {
  std::atomic<int> sum{0};
  CollectorQueue<int> q({{"sum", [&](const int& v) { sum += v; }}});
  auto running = q.StartScoped();
  for (int i = 1; i <= 10; ++i) (void)q.publisher().Send({.value = i});
  q.Stop();
  EXPECT_EQ(sum.load(), 55);
  EXPECT_EQ(q.metrics().runs, 10u);
}

TEST(CollectorQueueResults, SendingToAQueueThatIsNotRunningFailsEveryCollectorAndSaysWhy) {
  CollectorQueue<int, std::string> q({Echo("a"), Echo("b")});
  auto before = q.publisher().Send({.value = 1});
  ASSERT_TRUE(before.is_done());
  ASSERT_EQ(before.GetResult()->size(), 2u);
  EXPECT_NE((*before.GetResult())[0].error().find("not running"), std::string::npos);
  q.Start();
  EXPECT_TRUE(q.publisher().Send({.value = 1}).Wait().AllOk());
  q.Stop();
  EXPECT_FALSE(q.publisher().Send({.value = 1}).Wait().AllOk());
  EXPECT_EQ(q.metrics().rejected, 2u);
  EXPECT_EQ(q.metrics().published, 1u);
}

}  // namespace
}  // namespace tributary
