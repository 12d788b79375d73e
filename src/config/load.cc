#include <fstream>
#include <sstream>

#include "config/config.h"
#include "config/tables.h"
#include "format/compression.h"
#include "format/encoder.h"
#include "format/event_builder.h"
#include "routing/topic_pattern.h"
#include "sinks/sink_type.h"
#include "sources/source_type.h"

namespace tributary {
namespace {

const std::vector<std::string> kTopLevel = {"storage", "api",     "router", "log",
                                            "runtime", "sources", "sinks",  "routes"};

const toml::table* SubTable(const toml::table& root, std::string_view key,
                            const ConfigContext& ctx) {
  const toml::node* n = root.get(key);
  if (!n) return nullptr;
  if (!n->is_table())
    ctx.Fail(n, "`" + std::string(key) + "` must be a table, e.g. [" + std::string(key) + "]");
  return n->as_table();
}

// Each named component is a table under its section: [sinks.NAME].
template <typename F>
void ForEachComponent(const toml::table& root, std::string_view section, const ConfigContext& ctx,
                      F&& f) {
  const toml::table* t = SubTable(root, section, ctx);
  if (!t) return;
  for (auto&& [key, value] : *t) {
    ConfigContext child = ctx.Child(section).Child(key.str());
    if (!value.is_table()) child.Fail(&value, "[" + child.path + "] must be a table");
    f(std::string(key.str()), *value.as_table(), child);
  }
}

std::string TypeOf(const toml::table& t, const ConfigContext& ctx, std::string_view known) {
  const toml::node* n = t.get("type");
  if (!n) ctx.Fail(&t, "[" + ctx.path + "] needs `type`; one of: " + std::string(known));
  if (!n->is_string()) ctx.Fail(n, "`type` must be a string");
  return n->as_string()->get();
}

void ParseSource(const std::string& name, const toml::table& t, const ConfigContext& ctx,
                 Config& cfg) {
  std::string types;
  for (const SourceType* st : SourceTypes())
    types += (types.empty() ? "" : ", ") + std::string(st->name);
  SourceConfig s;
  s.name = name;
  s.type = TypeOf(t, ctx, types);
  const SourceType* st = FindSourceType(s.type);
  if (!st) ctx.Fail(t.get("type"), "unknown source type \"" + s.type + "\"; available: " + types);
  st->parse(t, ctx, s);
  cfg.sources.push_back(std::move(s));
}

void ParseSink(const std::string& name, const toml::table& t, const ConfigContext& ctx,
               Config& cfg) {
  std::string types;
  for (const SinkType* st : SinkTypes())
    types += (types.empty() ? "" : ", ") + std::string(st->name());
  SinkConfig s;
  s.name = name;
  std::string type = TypeOf(t, ctx, types);
  const SinkType* st = FindSinkType(type);
  if (!st) ctx.Fail(t.get("type"), "unknown sink type \"" + type + "\"; available: " + types);
  std::vector<std::string> common_names = SinkCommonTable().Names();
  std::set<std::string> common(common_names.begin(), common_names.end());
  s.build = st->Parse(t, ctx, common);
  // The sink's own keys are known to the common table's check.
  std::set<std::string> own;
  for (auto&& [k, v] : t) {
    if (!common.count(std::string(k.str()))) own.insert(std::string(k.str()));
  }
  SinkCommonTable().Parse(&t, s, ctx, own);
  const SinkTraits traits = st->traits();
  if (s.encoding.empty()) s.encoding = std::string(traits.encoding);
  if (s.compression.empty()) s.compression = std::string(traits.compression);
  if (!ParseCompression(s.compression))
    ctx.Fail(t.get("compression"), ParseCompression(s.compression).status().message());
  auto encoding = ParseEncoding(s.encoding);
  if (!encoding) ctx.Fail(t.get("encoding"), encoding.status().message());
  bool single = *encoding == Encoding::kCloudEvents || *encoding == Encoding::kCloudEventsBinary;
  if (traits.records && !single) {
    ctx.Fail(t.get("encoding"), "the " + type +
                                    " sink sends one record per event; use \"cloudevents-binary\" "
                                    "or \"cloudevents\" (structured mode)");
  }
  if (single && !traits.messages) {
    ctx.Fail(t.get("encoding"), "the " + type +
                                    " sink writes batches, not one message per event; "
                                    "use \"ndjson\" or \"cloudevents-batch\"");
  }
  if (s.concurrency > 1 && !traits.concurrent) {
    ctx.Fail(t.get("concurrency"), "the " + type +
                                       " sink sends one batch at a time; remove `concurrency` "
                                       "or set it to 1");
  }
  for (const std::string& p : s.topics) {
    auto pattern = TopicPattern::Parse(p, cfg.router.separators);
    if (!pattern) ctx.Fail(t.get("topics"), pattern.status().message());
  }
  for (const auto& [name, value] : s.extensions) {
    if (!IsValidExtensionName(name)) {
      ctx.Fail(t.get("extensions"),
               "extension attribute `" + name + "` must use only lowercase letters a-z and digits");
    }
  }
  if (s.batch.max_bytes == 0) ctx.Fail(t.get("batch"), "`batch.max_bytes` must be positive");
  cfg.sinks.push_back(std::move(s));
}

}  // namespace

Config LoadConfig(std::string_view text, const std::string& file, bool use_env) {
  ConfigContext ctx{file, "", use_env};
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    ctx.Fail(e.source(), std::string(e.description()));
  }
  for (auto&& [key, value] : root) {
    std::string k(key.str());
    if (std::find(kTopLevel.begin(), kTopLevel.end(), k) == kTopLevel.end()) {
      std::string hint = ClosestName(k, kTopLevel);
      ctx.Fail(key.source(), "unknown section `" + k + "`" +
                                 (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
    }
  }
  Config cfg;
  cfg.file = file;
  StorageTable().Parse(SubTable(root, "storage", ctx), cfg.storage, ctx.Child("storage"));
  ApiTable().Parse(SubTable(root, "api", ctx), cfg.api, ctx.Child("api"));
  RouterTable().Parse(SubTable(root, "router", ctx), cfg.router, ctx.Child("router"));
  LogTable().Parse(SubTable(root, "log", ctx), cfg.log, ctx.Child("log"));
  RuntimeTable().Parse(SubTable(root, "runtime", ctx), cfg.runtime, ctx.Child("runtime"));
  ForEachComponent(root, "sources", ctx,
                   [&](const std::string& name, const toml::table& t, const ConfigContext& c) {
                     ParseSource(name, t, c, cfg);
                   });
  ForEachComponent(root, "sinks", ctx,
                   [&](const std::string& name, const toml::table& t, const ConfigContext& c) {
                     ParseSink(name, t, c, cfg);
                   });
  ForEachComponent(root, "routes", ctx,
                   [&](const std::string& name, const toml::table& t, const ConfigContext& c) {
                     RouteRule rule;
                     rule.name = name;
                     RouteTable().Parse(&t, rule, c);
                     for (const std::string& s : rule.sinks) {
                       bool found = false;
                       for (const SinkConfig& sink : cfg.sinks) found |= sink.name == s;
                       if (!found)
                         c.Fail(t.get("sinks"), "route `" + name + "` sends to sink `" + s +
                                                    "`, which is not configured");
                     }
                     cfg.routes.push_back(std::move(rule));
                   });

  if (cfg.sources.empty())
    ctx.Fail(nullptr, "no sources configured; add e.g. [sources.http] type = \"http\"");
  if (cfg.sinks.empty())
    ctx.Fail(nullptr, "no sinks configured; add e.g. [sinks.files] type = \"file\"");
  if (cfg.router.separators.empty()) ctx.Fail(nullptr, "[router] separators must not be empty");
  if (!cfg.router.fallback_sink.empty()) {
    bool found = false;
    for (const SinkConfig& s : cfg.sinks) found |= s.name == cfg.router.fallback_sink;
    if (!found)
      ctx.Fail(root.get("router"), "[router] fallback_sink `" + cfg.router.fallback_sink +
                                       "` is not a configured sink");
  }
  return cfg;
}

Config LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the config file (" + std::strerror(errno) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadConfig(ss.str(), path);
}

std::string ConfigReference() {
  std::string md;
  StorageTable().Document(md, "storage");
  ApiTable().Document(md, "api");
  RouterTable().Document(md, "router");
  LogTable().Document(md, "log");
  RuntimeTable().Document(md, "runtime");
  for (const SourceType* st : SourceTypes()) {
    md += "\nSource `type = \"" + std::string(st->name) + "\"`: " + std::string(st->description) +
          "\n";
    st->document(md, "sources.NAME");
  }
  md += "\nEvery sink:\n";
  SinkCommonTable().Document(md, "sinks.NAME");
  for (const SinkType* st : SinkTypes()) {
    md += "\nSink `type = \"" + std::string(st->name()) + "\"`: " + std::string(st->description()) +
          "\n";
    st->Document(md, "sinks.NAME");
  }
  md += "\nRoutes (evaluated in name order; all matching rules apply):\n";
  RouteTable().Document(md, "routes.NAME");
  return md;
}

}  // namespace tributary
