#include <gtest/gtest.h>

#include "format/event_parser.h"
#include "format/json_text.h"
#include "routing/glob.h"
#include "routing/router.h"
#include "routing/topic_pattern.h"

namespace tributary {
namespace {

bool Match(const char* pattern, const char* topic) {
  auto p = TopicPattern::Parse(pattern);
  EXPECT_TRUE(p.ok()) << pattern;
  return p->Matches(topic);
}

TEST(TopicPattern, MatchesLikeMqtt) {
  EXPECT_TRUE(Match("sensors/temp", "sensors/temp"));
  EXPECT_FALSE(Match("sensors/temp", "sensors/temp/x"));
  EXPECT_TRUE(Match("sensors/+/temp", "sensors/kitchen/temp"));
  EXPECT_FALSE(Match("sensors/+/temp", "sensors/a/b/temp"));
  EXPECT_TRUE(Match("sensors/#", "sensors/a/b/c"));
  EXPECT_TRUE(Match("sensors/#", "sensors"));  // "#" also matches the parent level
  EXPECT_FALSE(Match("sensors/#", "other/a"));
  EXPECT_TRUE(Match("#", "anything/at/all"));
  EXPECT_TRUE(Match("#", ""));
  EXPECT_FALSE(Match("+", ""));
  EXPECT_TRUE(Match("vision.+.detections", "vision.cam1.detections"));  // '.' separates too
  EXPECT_TRUE(Match("+/+", "a/b"));
  EXPECT_FALSE(Match("+/+", "a"));
}

TEST(TopicPattern, RejectsMisplacedWildcards) {
  EXPECT_FALSE(TopicPattern::Parse("a/#/b").ok());
  EXPECT_FALSE(TopicPattern::Parse("a/b#").ok());
  EXPECT_FALSE(TopicPattern::Parse("a/+b").ok());
  EXPECT_FALSE(TopicPattern::Parse("").ok());
}

TEST(TopicPattern, UsesConfiguredSeparators) {
  auto p = TopicPattern::Parse("a/+", "/");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Matches("a/b.c"));
}

TEST(Glob, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("cam-*", "cam-12"));
  EXPECT_TRUE(GlobMatch("*.created", "order.created"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(GlobMatch("?x", "ax"));
  EXPECT_FALSE(GlobMatch("?x", "x"));
  EXPECT_FALSE(GlobMatch("cam-*", "camera"));
  EXPECT_TRUE(GlobMatch("*", ""));
}

class RouterTest : public testing::Test {
 protected:
  std::shared_ptr<EventBatch> Batch(const std::string& body) {
    std::string b = body;
    EnsurePadding(b);
    auto batch = std::make_shared<EventBatch>(std::move(b));
    std::vector<EventError> errors;
    static const JsonMapping kMapping;
    ParseOptions opts;
    opts.mapping = &kMapping;
    EXPECT_TRUE(ParseEvents(BodyFormat::kBatch, *batch, opts, errors).ok());
    return batch;
  }
  static std::string Ev(const std::string& id, const std::string& type, const std::string& topic) {
    return R"({"specversion":"1.0","id":")" + id + R"(","source":"/s","type":")" + type + "\"" +
           (topic.empty() ? "" : R"(,"topic":")" + topic + "\"") + "}";
  }
  static SinkSubscription Sub(const std::string& name, std::vector<std::string> patterns) {
    SinkSubscription s{name, {}};
    for (auto& p : patterns) s.topics.push_back(*TopicPattern::Parse(p));
    return s;
  }
};

TEST_F(RouterTest, RoutesByTopicSubscriptions) {
  auto router = Router::Make({Sub("all", {"#"}), Sub("cams", {"cams/+"}), Sub("none", {"x"})}, {},
                             std::nullopt);
  ASSERT_TRUE(router.ok());
  auto batch = Batch("[" + Ev("1", "t", "cams/a") + "," + Ev("2", "t", "") + "]");
  std::vector<SinkMask> masks;
  RouteCounts c = router->Route(*batch, masks);
  EXPECT_EQ(masks[0], 0b011u);
  EXPECT_EQ(masks[1], 0b001u);
  EXPECT_EQ(c.routed, 2u);
}

TEST_F(RouterTest, RulesSendSetAndDrop) {
  RouteRule to_b{
      "r1", {{"type", MatchOp::kPrefix, "vision.", true}}, {"b"}, {{"pipelineid", "p1"}}, false};
  RouteRule drop{"r2", {{"type", MatchOp::kGlob, "*.debug", true}}, {}, {}, true};
  RouteRule tag{
      "r3", {{"subject", MatchOp::kExists, "", false}}, {}, {{"nosubject", "yes"}}, false};
  auto router =
      Router::Make({Sub("a", {"#"}), Sub("b", {"nothing"})}, {to_b, drop, tag}, std::nullopt);
  ASSERT_TRUE(router.ok());
  auto batch = Batch("[" + Ev("1", "vision.detection", "") + "," + Ev("2", "app.debug", "") + "," +
                     Ev("3", "app.info", "") + "]");
  std::vector<SinkMask> masks;
  RouteCounts c = router->Route(*batch, masks);
  EXPECT_EQ(masks[0], 0b10u);  // by rule, instead of by topic
  EXPECT_EQ(masks[1], 0u);     // dropped
  EXPECT_EQ(masks[2], 0b01u);
  EXPECT_EQ(c.dropped, 1u);
  const auto& e0 = batch->events()[0];
  EXPECT_EQ(batch->FindExtension(e0, "pipelineid")->value, "p1");
  EXPECT_EQ(batch->FindExtension(e0, "nosubject")->value, "yes");
}

TEST_F(RouterTest, CountsUnroutedAndUsesTheFallback) {
  auto router = Router::Make({Sub("a", {"x/#"}), Sub("fallback", {"never"})}, {}, "fallback");
  ASSERT_TRUE(router.ok());
  auto batch = Batch("[" + Ev("1", "t", "y") + "]");
  std::vector<SinkMask> masks;
  RouteCounts c = router->Route(*batch, masks);
  EXPECT_EQ(c.unrouted, 1u);
  EXPECT_EQ(masks[0], 0b10u);
}

TEST_F(RouterTest, RejectsUnknownSinks) {
  RouteRule r{"r", {}, {"missing"}, {}, false};
  EXPECT_FALSE(Router::Make({Sub("a", {"#"})}, {r}, std::nullopt).ok());
  EXPECT_FALSE(Router::Make({Sub("a", {"#"})}, {}, "missing").ok());
}

TEST_F(RouterTest, ConditionsTestEqualsPrefixGlobExists) {
  auto batch = Batch("[" + Ev("1", "order.created", "shop/eu") + "]");
  const Event& e = batch->events()[0];
  EXPECT_TRUE((Condition{"type", MatchOp::kEquals, "order.created", true}).Matches(*batch, e));
  EXPECT_FALSE((Condition{"type", MatchOp::kEquals, "order", true}).Matches(*batch, e));
  EXPECT_TRUE((Condition{"topic", MatchOp::kPrefix, "shop/", true}).Matches(*batch, e));
  EXPECT_TRUE((Condition{"type", MatchOp::kGlob, "*.created", true}).Matches(*batch, e));
  EXPECT_TRUE((Condition{"topic", MatchOp::kExists, "", true}).Matches(*batch, e));
  EXPECT_TRUE((Condition{"subject", MatchOp::kExists, "", false}).Matches(*batch, e));
  EXPECT_FALSE((Condition{"subject", MatchOp::kPrefix, "", true}).Matches(*batch, e));
}

}  // namespace
}  // namespace tributary
