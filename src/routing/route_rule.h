#pragma once
// Route rules: conditions on event attributes and what to do with an event that meets
// all of them (send to named sinks, set extension attributes, drop).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.h"

namespace tributary {

enum class MatchOp { kEquals, kPrefix, kGlob, kExists };

struct Condition {
  std::string attribute;  // type, source, subject, id, time, topic, or an extension name
  MatchOp op = MatchOp::kEquals;
  std::string value;   // unused for kExists
  bool exists = true;  // kExists: whether the attribute must be present or absent

  bool Matches(const EventBatch& batch, const Event& event) const;
};

struct RouteRule {
  std::string name;
  std::vector<Condition> match;  // all must hold; empty = every event
  std::vector<std::string> sinks;
  std::vector<std::pair<std::string, std::string>> set;
  bool drop = false;

  bool Matches(const EventBatch& batch, const Event& event) const {
    for (const Condition& c : match) {
      if (!c.Matches(batch, event)) return false;
    }
    return true;
  }
};

// The value of attribute `name` of `event`; nullopt-like empty + false when absent.
bool LookupAttribute(const EventBatch& batch, const Event& event, std::string_view name,
                     std::string_view* value);

}  // namespace tributary
