#pragma once
// MQTT-style topic patterns: levels split by any of the configured separators ("/" and
// "." by default); "+" matches exactly one level, a final "#" matches the rest (zero or
// more levels). Shared by the daemon's router and the in-process collector queue.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tributary {

inline constexpr std::string_view kDefaultTopicSeparators = "/.";

class TopicPattern {
 public:
  static Result<TopicPattern> Parse(std::string_view pattern,
                                    std::string_view separators = kDefaultTopicSeparators);

  // Matches without allocating. An empty topic (an event without one) matches only "#".
  bool Matches(std::string_view topic) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::string separators_;
  std::vector<std::string> levels_;  // without the trailing "#"
  bool rest_ = false;                // ends with "#"
};

}  // namespace tributary
