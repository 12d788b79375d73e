#include "config/option_table.h"

#include <cstdlib>

namespace tributary {
namespace {

std::string Where(const ConfigContext& ctx, const toml::source_region& at) {
  if (at.begin.line == 0) return ctx.file;
  return fmt::format("{}:{}:{}", ctx.file, at.begin.line, at.begin.column);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

void ConfigContext::Fail(const toml::node* at, const std::string& message) const {
  if (!at) throw ConfigError(fmt::format("{}: {}", file, message));
  Fail(at->source(), message);
}

void ConfigContext::Fail(const toml::source_region& at, const std::string& message) const {
  throw ConfigError(fmt::format("{}: {}", Where(*this, at), message));
}

std::string ConfigContext::EnvName(std::string_view key) const {
  std::string name = "TRIBUTARY_";
  std::string full = path.empty() ? std::string(key) : path + "." + std::string(key);
  for (char c : full) {
    if (c >= 'a' && c <= 'z')
      name.push_back(static_cast<char>(c - 32));
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      name.push_back(c);
    else
      name.push_back('_');
  }
  return name;
}

std::string ExpandEnv(std::string_view v, const ConfigContext& ctx, const toml::node* at) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '$' || i + 1 >= v.size()) {
      out.push_back(v[i]);
      continue;
    }
    if (v[i + 1] == '$') {  // "$$" is a literal "$"
      out.push_back('$');
      ++i;
      continue;
    }
    if (v[i + 1] != '{') {
      out.push_back('$');
      continue;
    }
    size_t close = v.find('}', i + 2);
    if (close == std::string_view::npos)
      ctx.Fail(at, "unclosed ${ in value; write $$ for a literal $");
    std::string name(v.substr(i + 2, close - i - 2));
    std::string fallback;
    bool has_fallback = false;
    if (size_t d = name.find(":-"); d != std::string::npos) {
      fallback = name.substr(d + 2);
      name.resize(d);
      has_fallback = true;
    }
    const char* value = std::getenv(name.c_str());
    if (!value && !has_fallback) {
      ctx.Fail(at,
               fmt::format("environment variable {} is not set; set it or write ${{{}:-default}}",
                           name, name));
    }
    out += value ? value : fallback;
    i = close;
  }
  return out;
}

uint64_t ParseSizeText(std::string_view text, const ConfigContext& ctx, const toml::node* at) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9')
    n = n * 10 + static_cast<uint64_t>(text[i++] - '0');
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  static const std::pair<std::string_view, uint64_t> kUnits[] = {
      {"", 1},      {"B", 1},         {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"KB", 1000}, {"MB", 1000'000}, {"GB", 1000'000'000}};
  if (i == 0)
    ctx.Fail(at,
             fmt::format("\"{}\" is not a size; write e.g. \"512KiB\", \"5MiB\", \"1GiB\"", text));
  for (auto [u, mult] : kUnits) {
    if (unit == u) return n * mult;
  }
  ctx.Fail(at,
           fmt::format("unknown size unit in \"{}\"; use B, KiB, MiB, GiB, KB, MB or GB", text));
}

std::chrono::milliseconds ParseDurationText(std::string_view text, const ConfigContext& ctx,
                                            const toml::node* at) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') n = n * 10 + (text[i++] - '0');
  std::string_view unit = text.substr(i);
  if (i == 0)
    ctx.Fail(at,
             fmt::format("\"{}\" is not a duration; write e.g. \"100ms\", \"5s\", \"1m\"", text));
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s" || unit.empty()) return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  ctx.Fail(at, fmt::format("unknown duration unit in \"{}\"; use ms, s, m or h", text));
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 3;  // suggest only close matches
  for (const auto& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d < best_d || (d == best_d && best.empty() && d <= name.size() / 3)) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace tributary
