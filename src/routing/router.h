#pragma once
// The router decides which sinks get each event.
//
// Rules are evaluated in order; every matching rule applies its `set` actions, and a
// matching rule with `drop = true` drops the event. If any matching rule names sinks,
// the event goes to the union of those sinks; otherwise to every sink whose topic
// patterns match the event's topic. An event with no destination goes to the fallback
// sink if one is configured, and is counted as unrouted either way.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "routing/route_rule.h"
#include "routing/topic_pattern.h"

namespace tributary {

using SinkMask = uint64_t;  // bit i = sink i
inline constexpr size_t kMaxSinks = 64;

struct SinkSubscription {
  std::string name;
  std::vector<TopicPattern> topics;
};

struct CompiledRule {
  RouteRule rule;
  SinkMask sinks = 0;
};

struct RouteCounts {
  size_t routed = 0;    // events with at least one destination (not the fallback)
  size_t unrouted = 0;  // matched no sink (sent to the fallback if there is one)
  size_t dropped = 0;   // dropped by a rule
};

class Router {
 public:
  // Fails if a rule names an unknown sink or there are more than kMaxSinks sinks.
  static Result<Router> Make(std::vector<SinkSubscription> sinks, std::vector<RouteRule> rules,
                             std::optional<std::string> fallback_sink);

  // Fills masks[i] with the destinations of event i and applies rule actions to events.
  RouteCounts Route(EventBatch& batch, std::vector<SinkMask>& masks) const;

  size_t sink_count() const { return sinks_.size(); }
  const std::string& sink_name(size_t i) const { return sinks_[i].name; }

 private:
  std::vector<SinkSubscription> sinks_;
  std::vector<CompiledRule> rules_;
  SinkMask fallback_ = 0;
};

}  // namespace tributary
