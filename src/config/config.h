#pragma once
// The typed configuration: what `tributary run` builds its pipeline from. Parsed once at
// start-up by LoadConfig; the runtime never sees TOML.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/option_table.h"
#include "format/event_parser.h"
#include "pipeline/batcher.h"
#include "routing/route_rule.h"
#include "sinks/sink.h"

namespace tributary {

struct StorageConfig {
  std::string data_dir = "./tributary-data";
  std::string fsync = "interval";  // always | interval | never (the disk queue)
  std::chrono::milliseconds fsync_interval{100};
  uint64_t segment_bytes = 64ull << 20;
};

struct ApiConfig {
  bool enabled = true;              // serve /metrics, /healthz, /readyz on every HTTP source
  std::vector<std::string> tokens;  // bearer tokens for /metrics; empty = open
};

struct RouterConfig {
  std::string separators = "/.";
  std::string fallback_sink;  // empty = none
};

struct LogConfig {
  std::string level = "info";
  std::string format = "human";
};

struct RuntimeConfig {
  std::chrono::milliseconds grace_period{30'000};
};

struct HttpSourceConfig {
  std::string address = "127.0.0.1:8080";
  uint64_t threads = 0;  // 0 = one per core
  uint64_t max_body_bytes = 16ull << 20;
  uint64_t max_event_bytes = 1ull << 20;
  uint64_t max_header_bytes = 16ull << 10;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::vector<std::string> tokens;
  JsonMapping mapping;
};

class Source;
struct SourceContext;
using SourceBuilder = std::function<Result<std::unique_ptr<Source>>(const SourceContext&)>;

struct SourceConfig {
  std::string name;
  std::string type;
  HttpSourceConfig http;  // type "http"
  SourceBuilder build;    // from the source type's own options
};

struct QueueConfig {
  std::string type = "memory";
  uint64_t max_events = 100'000;
  uint64_t max_bytes = 256ull << 20;
  std::string when_full = "reject";
  std::chrono::milliseconds block_timeout{5000};
};

struct RetryConfig {
  std::chrono::milliseconds initial_backoff{500};
  uint64_t multiplier = 2;
  std::chrono::milliseconds max_backoff{30'000};
  uint64_t max_attempts = 10;                // 0 = unlimited
  std::chrono::milliseconds max_elapsed{0};  // 0 = unlimited
  uint64_t breaker_threshold = 5;            // consecutive failures that open the breaker; 0 = off
};

struct SinkBuildContext {
  std::string name;
  Compression compression;
  const Clock& clock;
  Encoding encoding = Encoding::kNdjson;
  Enrichment enrichment;  // set on every event the sink sends
};
using SinkBuilder = std::function<Result<std::unique_ptr<Sink>>(const SinkBuildContext&)>;

struct SinkConfig {
  std::string name;
  std::string type;
  std::vector<std::string> topics = {"#"};
  std::string encoding;            // empty = the sink type's default
  std::string compression;         // empty = the sink type's default
  uint64_t compression_level = 0;  // 0 = the algorithm's default (gzip 6, zstd 3)
  uint64_t concurrency = 1;        // batches in flight at once (1 keeps order)
  BatchLimits batch;
  QueueConfig queue;
  RetryConfig retry;
  std::vector<std::pair<std::string, std::string>> extensions;  // set on every event sent
  std::string source;            // a template: "filter://{pipelineid}/{filtername}/{topic}"
  bool override_source = false;  // apply `source` to events that have one too
  SinkBuilder build;             // from the sink type's own options
};

struct Config {
  std::string file;  // where it came from ("<built-in>" for the default)
  StorageConfig storage;
  ApiConfig api;
  RouterConfig router;
  LogConfig log;
  RuntimeConfig runtime;
  std::vector<SourceConfig> sources;
  std::vector<SinkConfig> sinks;
  std::vector<RouteRule> routes;
};

// Parses and validates a config. Throws ConfigError ("FILE:LINE:COL: message").
Config LoadConfig(std::string_view toml_text, const std::string& file_name, bool use_env = true);
Config LoadConfigFile(const std::string& path);
// The built-in default config (config/default.toml, compiled in).
std::string_view DefaultConfigText();

// The Markdown reference of every option, generated from the option tables.
std::string ConfigReference();

}  // namespace tributary
