#include "routing/topic_pattern.h"

namespace tributary {
namespace {

// Calls f(level) for each level of `s`; stops early when f returns false.
template <typename F>
bool ForEachLevel(std::string_view s, std::string_view seps, F&& f) {
  size_t start = 0;
  while (true) {
    size_t end = s.find_first_of(seps, start);
    if (end == std::string_view::npos) return f(s.substr(start));
    if (!f(s.substr(start, end - start))) return false;
    start = end + 1;
  }
}

}  // namespace

Result<TopicPattern> TopicPattern::Parse(std::string_view pattern, std::string_view separators) {
  TopicPattern p;
  p.text_ = std::string(pattern);
  p.separators_ = std::string(separators);
  if (pattern.empty()) return InvalidArgument("empty topic pattern; use \"#\" for every topic");
  std::string error;
  ForEachLevel(pattern, separators, [&](std::string_view level) {
    if (p.rest_) {
      error = "'#' must be the last level";
      return false;
    }
    if (level == "#") {
      p.rest_ = true;
      return true;
    }
    if (level.size() > 1 && level.find_first_of("#+") != std::string_view::npos) {
      error = "'+' and '#' must stand alone in a level";
      return false;
    }
    p.levels_.emplace_back(level);
    return true;
  });
  if (!error.empty()) return InvalidArgument("topic pattern '" + p.text_ + "': " + error);
  return p;
}

bool TopicPattern::Matches(std::string_view topic) const {
  if (topic.empty()) return levels_.empty() && rest_;
  size_t i = 0;
  bool ok = ForEachLevel(topic, separators_, [&](std::string_view level) {
    if (i >= levels_.size()) {
      ++i;
      return rest_;  // more levels than the pattern: only "#" takes them
    }
    const std::string& want = levels_[i++];
    return want == "+" || want == level;
  });
  return ok && (i == levels_.size() || (rest_ && i >= levels_.size()));
}

}  // namespace tributary
