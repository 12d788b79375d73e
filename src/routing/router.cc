#include "routing/router.h"

namespace tributary {

Result<Router> Router::Make(std::vector<SinkSubscription> sinks, std::vector<RouteRule> rules,
                            std::optional<std::string> fallback_sink) {
  if (sinks.size() > kMaxSinks) {
    return InvalidArgument("at most " + std::to_string(kMaxSinks) + " sinks are supported");
  }
  auto index_of = [&](const std::string& name) -> int {
    for (size_t i = 0; i < sinks.size(); ++i) {
      if (sinks[i].name == name) return static_cast<int>(i);
    }
    return -1;
  };
  Router r;
  for (RouteRule& rule : rules) {
    CompiledRule c;
    for (const std::string& s : rule.sinks) {
      int i = index_of(s);
      if (i < 0)
        return InvalidArgument("route '" + rule.name + "' sends to unknown sink '" + s + "'");
      c.sinks |= SinkMask{1} << i;
    }
    c.rule = std::move(rule);
    r.rules_.push_back(std::move(c));
  }
  if (fallback_sink) {
    int i = index_of(*fallback_sink);
    if (i < 0)
      return InvalidArgument("fallback sink '" + *fallback_sink + "' is not a configured sink");
    r.fallback_ = SinkMask{1} << i;
  }
  r.sinks_ = std::move(sinks);
  return r;
}

RouteCounts Router::Route(EventBatch& batch, std::vector<SinkMask>& masks) const {
  RouteCounts counts;
  masks.assign(batch.size(), 0);
  for (size_t i = 0; i < batch.size(); ++i) {
    Event& e = batch.events()[i];
    SinkMask by_rule = 0;
    bool dropped = false;
    for (const CompiledRule& c : rules_) {
      if (!c.rule.Matches(batch, e)) continue;
      for (const auto& [name, value] : c.rule.set) batch.SetExtension(e, name, value);
      by_rule |= c.sinks;
      if (c.rule.drop) {
        dropped = true;
        break;
      }
    }
    if (dropped) {
      ++counts.dropped;
      continue;
    }
    SinkMask mask = by_rule;
    if (mask == 0) {
      for (size_t s = 0; s < sinks_.size(); ++s) {
        for (const TopicPattern& p : sinks_[s].topics) {
          if (p.Matches(e.topic)) {
            mask |= SinkMask{1} << s;
            break;
          }
        }
      }
    }
    if (mask == 0) {
      ++counts.unrouted;
      mask = fallback_;
    } else {
      ++counts.routed;
    }
    masks[i] = mask;
  }
  return counts;
}

}  // namespace tributary
