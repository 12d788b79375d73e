#include "sinks/file/path_template.h"

#include <fmt/format.h>

#include "core/time_util.h"
#include "core/uuid.h"

namespace tributary {
namespace {

constexpr std::string_view kNames[] = {"yyyy", "mm", "dd", "hh", "MM", "ss", "uuid", "sink"};

// Calls f(literal, placeholder) for each piece; placeholder is empty for the tail.
template <typename F>
Status ForEachPiece(std::string_view t, F&& f) {
  while (!t.empty()) {
    size_t open = t.find('{');
    if (open == std::string_view::npos) {
      f(t, std::string_view());
      break;
    }
    size_t close = t.find('}', open);
    if (close == std::string_view::npos) return InvalidArgument("unclosed '{' in path template");
    f(t.substr(0, open), t.substr(open + 1, close - open - 1));
    t.remove_prefix(close + 1);
  }
  return Status::Ok();
}

}  // namespace

Status ValidatePathTemplate(std::string_view tmpl) {
  std::string bad;
  Status st = ForEachPiece(tmpl, [&](std::string_view, std::string_view name) {
    if (name.empty()) return;
    bool known = false;
    for (auto k : kNames) known |= (k == name);
    if (!known && bad.empty()) bad = std::string(name);
  });
  if (!st.ok()) return st;
  if (!bad.empty()) {
    return InvalidArgument("unknown placeholder {" + bad +
                           "} in path template; use {yyyy} {mm} {dd} {hh} {MM} {ss} {uuid} {sink}");
  }
  if (tmpl.empty() || tmpl.back() == '/') return InvalidArgument("path template must name a file");
  return Status::Ok();
}

std::string ExpandPathTemplate(std::string_view tmpl, int64_t unix_ns, std::string_view sink) {
  UtcParts p = ToUtcParts(unix_ns);
  std::string out;
  (void)ForEachPiece(tmpl, [&](std::string_view literal, std::string_view name) {
    out.append(literal);
    if (name == "yyyy")
      fmt::format_to(std::back_inserter(out), "{:04}", p.year);
    else if (name == "mm")
      fmt::format_to(std::back_inserter(out), "{:02}", p.month);
    else if (name == "dd")
      fmt::format_to(std::back_inserter(out), "{:02}", p.day);
    else if (name == "hh")
      fmt::format_to(std::back_inserter(out), "{:02}", p.hour);
    else if (name == "MM")
      fmt::format_to(std::back_inserter(out), "{:02}", p.minute);
    else if (name == "ss")
      fmt::format_to(std::back_inserter(out), "{:02}", p.second);
    else if (name == "uuid")
      out += NewUuidV7String();
    else if (name == "sink")
      out.append(sink);
  });
  return out;
}

}  // namespace tributary
