#include "admin/metrics.h"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace tributary {

std::string LabelValue(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Counter& Metrics::GetCounter(const std::string& name, const std::string& help,
                             const std::string& labels) {
  std::lock_guard lock(mu_);
  for (Series& s : series_) {
    if (s.is_counter && !s.read && s.name == name && s.labels == labels) return s.counter;
  }
  Series& s = series_.emplace_back();
  s.name = name;
  s.help = help;
  s.labels = labels;
  s.is_counter = true;
  return s.counter;
}

void Metrics::AddGauge(const std::string& name, const std::string& help, const std::string& labels,
                       std::function<double()> read) {
  Add(name, help, labels, false, std::move(read));
}

void Metrics::AddCounter(const std::string& name, const std::string& help,
                         const std::string& labels, std::function<double()> read) {
  Add(name, help, labels, true, std::move(read));
}

void Metrics::Add(const std::string& name, const std::string& help, const std::string& labels,
                  bool is_counter, std::function<double()> read) {
  std::lock_guard lock(mu_);
  Series& s = series_.emplace_back();
  s.name = name;
  s.help = help;
  s.labels = labels;
  s.is_counter = is_counter;
  s.read = std::move(read);
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  // Group series by name: HELP and TYPE once per metric family.
  std::map<std::string, std::vector<const Series*>> families;
  for (const Series& s : series_) families[s.name].push_back(&s);
  std::string out;
  for (const auto& [name, list] : families) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, list[0]->help,
                   name, list[0]->is_counter ? "counter" : "gauge");
    for (const Series* s : list) {
      std::string labels = s->labels.empty() ? "" : "{" + s->labels + "}";
      if (s->read) {
        fmt::format_to(std::back_inserter(out), "{}{} {}\n", name, labels, s->read());
      } else {
        fmt::format_to(std::back_inserter(out), "{}{} {}\n", name, labels, s->counter.value());
      }
    }
  }
  return out;
}

}  // namespace tributary
