#include "config/tables.h"

namespace tributary {

const OptionTable<StorageConfig>& StorageTable() {
  static const auto* t =
      &(*new OptionTable<StorageConfig>())
           .String(
               "data_dir", &StorageConfig::data_dir,
               "Directory for Tributary's own state: the disk queue lives in `queue/` under it.")
           .String("fsync", &StorageConfig::fsync,
                   "When the disk queue syncs: `always` (before every 202; concurrent requests "
                   "share one "
                   "sync), `interval` (every `fsync_interval`; 202 after the write), `never` (the "
                   "OS decides).",
                   {"always", "interval", "never"})
           .Duration("fsync_interval", &StorageConfig::fsync_interval,
                     "Sync period for `fsync = \"interval\"`.")
           .Size("segment_bytes", &StorageConfig::segment_bytes,
                 "Disk queue segment file size; a segment is deleted once every sink has delivered "
                 "all of it.");
  return *t;
}

const OptionTable<ApiConfig>& ApiTable() {
  static const auto* t =
      &(*new OptionTable<ApiConfig>())
           .Bool("enabled", &ApiConfig::enabled,
                 "Serve `/metrics`, `/healthz` and `/readyz` on every HTTP source.")
           .StringList("tokens", &ApiConfig::tokens,
                       "Bearer tokens that may read `/metrics`; empty = no check.");
  return *t;
}

const OptionTable<RouterConfig>& RouterTable() {
  static const auto* t = &(*new OptionTable<RouterConfig>())
                              .String("separators", &RouterConfig::separators,
                                      "Characters that separate topic levels.")
                              .String("fallback_sink", &RouterConfig::fallback_sink,
                                      "Sink for events that match no sink (they are counted as "
                                      "unrouted either way); empty = none.");
  return *t;
}

const OptionTable<LogConfig>& LogTable() {
  static const auto* t =
      &(*new OptionTable<LogConfig>())
           .String("level", &LogConfig::level, "Least severe level logged.",
                   {"trace", "debug", "info", "warn", "error"})
           .String("format", &LogConfig::format, "`human` lines or one JSON object per line.",
                   {"human", "json"});
  return *t;
}

const OptionTable<RuntimeConfig>& RuntimeTable() {
  static const auto* t = &(*new OptionTable<RuntimeConfig>())
                              .Duration("grace_period", &RuntimeConfig::grace_period,
                                        "On SIGTERM/SIGINT: how long to finish requests and "
                                        "deliver queued events before exiting.");
  return *t;
}

const OptionTable<JsonMapping>& MappingTable() {
  static const auto* t =
      &(*new OptionTable<JsonMapping>())
           .String("id", &JsonMapping::id,
                   "Dotted path of the field that gives `id`; empty = a generated UUIDv7.")
           .String("type", &JsonMapping::type, "Field that gives `type`; empty = `default_type`.")
           .String("source", &JsonMapping::source,
                   "Field that gives `source`; empty = `default_source`.")
           .String("time", &JsonMapping::time,
                   "Field that gives `time` (RFC 3339); empty = receive time.")
           .String("subject", &JsonMapping::subject, "Field that gives `subject`; empty = none.")
           .String("topic", &JsonMapping::topic,
                   "Field that gives the routing `topic`; empty = none.")
           .String("default_type", &JsonMapping::default_type,
                   "`type` of events whose type field is missing.")
           .String("default_source", &JsonMapping::default_source,
                   "`source` of events whose source field is missing.");
  return *t;
}

const OptionTable<HttpSourceConfig>& HttpSourceTable() {
  static const auto* t =
      &(*new OptionTable<HttpSourceConfig>())
           .String("address", &HttpSourceConfig::address, "`host:port` to listen on.")
           .Integer("threads", &HttpSourceConfig::threads, 0, 256,
                    "I/O threads; 0 = one per CPU the collector can use.")
           .Size("max_body_bytes", &HttpSourceConfig::max_body_bytes,
                 "Largest request body, after decompression (413 above).")
           .Size("max_event_bytes", &HttpSourceConfig::max_event_bytes,
                 "Largest single event (413 above; at least 64 KiB is always accepted).")
           .Size("max_header_bytes", &HttpSourceConfig::max_header_bytes,
                 "Largest request header block (431 above).")
           .Duration("header_timeout", &HttpSourceConfig::header_timeout,
                     "Time allowed to send the request headers.")
           .Duration("body_timeout", &HttpSourceConfig::body_timeout,
                     "Time allowed to send the request body.")
           .Duration("idle_timeout", &HttpSourceConfig::idle_timeout,
                     "Keep-alive connections idle this long are closed.")
           .StringList("tokens", &HttpSourceConfig::tokens,
                       "Accepted bearer tokens; empty = no authentication.")
           .Table(
               "mapping", &HttpSourceConfig::mapping, MappingTable(),
               "How plain JSON and NDJSON objects become CloudEvents (`[sources.NAME.mapping]`):");
  return *t;
}

namespace {
const OptionTable<BatchLimits>& BatchTable() {
  static const auto* t = &(*new OptionTable<BatchLimits>())
                              .Integer("max_events", &BatchLimits::max_events, 1, 10'000'000,
                                       "Events per batch at most.")
                              .Size("max_bytes", &BatchLimits::max_bytes,
                                    "Encoded bytes per batch at most (before compression).")
                              .Duration("max_age", &BatchLimits::max_age,
                                        "A batch is sent this long after its first event arrived.");
  return *t;
}

const OptionTable<QueueConfig>& QueueTable() {
  static const auto* t =
      &(*new OptionTable<QueueConfig>())
           .String("type", &QueueConfig::type,
                   "`memory` (lost on a crash) or `disk` (under `storage.data_dir`; an event is "
                   "written once "
                   "however many sinks it goes to).",
                   {"memory", "disk"})
           .Integer("max_events", &QueueConfig::max_events, 1, 1'000'000'000,
                    "Queued events at most.")
           .Size("max_bytes", &QueueConfig::max_bytes, "Queued event bytes at most.")
           .String("when_full", &QueueConfig::when_full,
                   "`reject`: 503 with Retry-After at once; `block`: wait up to `block_timeout`, "
                   "then 503; "
                   "`drop_newest`: accept the request but not for this sink (counted and logged).",
                   {"reject", "block", "drop_newest"})
           .Duration("block_timeout", &QueueConfig::block_timeout,
                     "How long `block` waits for room.");
  return *t;
}

const OptionTable<RetryConfig>& RetryTable() {
  static const auto* t =
      &(*new OptionTable<RetryConfig>())
           .Duration("initial_backoff", &RetryConfig::initial_backoff,
                     "Upper bound of the first retry delay; each delay is "
                     "random in [0, bound] (full jitter).")
           .Integer("multiplier", &RetryConfig::multiplier, 1, 10,
                    "The bound grows by this factor after each failure.")
           .Duration("max_backoff", &RetryConfig::max_backoff,
                     "Largest bound; also caps a server's Retry-After.")
           .Integer("max_attempts", &RetryConfig::max_attempts, 0, 1'000'000,
                    "Attempts before the batch is dead-lettered; 0 = unlimited.")
           .Duration("max_elapsed", &RetryConfig::max_elapsed,
                     "Time after the first failure before the batch is "
                     "dead-lettered; 0s = unlimited.")
           .Integer("breaker_threshold", &RetryConfig::breaker_threshold, 0, 1'000'000,
                    "Consecutive failed attempts (across batches) after which the "
                    "circuit breaker opens: one probe per `max_backoff` until the sink "
                    "answers again; 0 = never.");
  return *t;
}
}  // namespace

const OptionTable<SinkConfig>& SinkCommonTable() {
  static const auto* t =
      &(*new OptionTable<SinkConfig>())
           .String("type", &SinkConfig::type, "The sink type (below).")
           .StringList("topics", &SinkConfig::topics,
                       "Topic patterns this sink subscribes to: `+` one level, `#` the rest.")
           .String("encoding", &SinkConfig::encoding,
                   "`ndjson`, `cloudevents-batch`, `cloudevents` (structured mode, one event per "
                   "request) or `cloudevents-binary` (binary mode: the body is `data`, the "
                   "attributes are `ce-` headers); the last two for `http` only; empty = the "
                   "sink type's default (`cloudevents-batch` for `http`, else `ndjson`).")
           .String("compression", &SinkConfig::compression,
                   "`none`, `gzip` or `zstd`; empty = the sink type's default (`gzip` for `http`, "
                   "else `none`).")
           .Integer("compression_level", &SinkConfig::compression_level, 0, 22,
                    "0 = the algorithm's default (gzip 6, zstd 3).")
           .StringMap("extensions", &SinkConfig::extensions,
                      "Extension attributes set on every event this sink sends (e.g. `{ pipelineid "
                      "= \"p1\" }`); "
                      "events are shared between sinks, so other sinks do not see them.")
           .String("source", &SinkConfig::source,
                   "A `source` template for events without one, e.g. "
                   "`\"filter://{pipelineid}/{filtername}/{topic}\"` (placeholders name "
                   "attributes, the "
                   "extensions above included); empty = keep `source`.")
           .Bool("override_source", &SinkConfig::override_source,
                 "Apply `source` to every event, not only those without one.")
           .Integer("concurrency", &SinkConfig::concurrency, 1, 64,
                    "Batches in flight at once (http, blackhole). With 1, batches go out in queue "
                    "order; with more they may arrive out of order, but the queue is still "
                    "acknowledged in order, so a restart never skips a batch.")
           .Table("batch", &SinkConfig::batch, BatchTable(), "Batching (`[sinks.NAME.batch]`):")
           .Table("queue", &SinkConfig::queue, QueueTable(),
                  "The sink's queue (`[sinks.NAME.queue]`):")
           .Table("retry", &SinkConfig::retry, RetryTable(),
                  "Retries of failed batches (`[sinks.NAME.retry]`):");
  return *t;
}

namespace {
void ParseMatch(RouteRule& rule, const toml::node* node, const std::string* env,
                const ConfigContext& ctx) {
  if (env) ctx.Fail(node, "`match` cannot be set from the environment");
  const toml::table* t = node->as_table();
  if (!t) ctx.Fail(node, "`match` must be a table of attribute = condition");
  for (auto&& [key, value] : *t) {
    Condition c;
    c.attribute = std::string(key.str());
    if (value.is_string()) {
      c.op = MatchOp::kEquals;
      c.value = ExpandEnv(value.as_string()->get(), ctx, &value);
    } else if (const toml::table* cond = value.as_table(); cond && cond->size() == 1) {
      auto it = cond->begin();
      const toml::key& op = it->first;
      const toml::node& arg = it->second;
      std::string_view o = op.str();
      if (o == "exists") {
        if (!arg.is_boolean()) ctx.Fail(&arg, "`exists` takes true or false");
        c.op = MatchOp::kExists;
        c.exists = arg.as_boolean()->get();
      } else if (o == "equals" || o == "prefix" || o == "glob") {
        if (!arg.is_string()) ctx.Fail(&arg, "`" + std::string(o) + "` takes a string");
        c.op = o == "equals" ? MatchOp::kEquals : o == "prefix" ? MatchOp::kPrefix : MatchOp::kGlob;
        c.value = ExpandEnv(arg.as_string()->get(), ctx, &arg);
      } else {
        std::string hint = ClosestName(o, {"equals", "prefix", "glob", "exists"});
        ctx.Fail(op.source(), "unknown match test `" + std::string(o) + "`" +
                                  (hint.empty() ? "; use equals, prefix, glob or exists"
                                                : "; did you mean `" + hint + "`?"));
      }
    } else {
      ctx.Fail(&value,
               "a condition is a string (equals) or one of { equals = \"..\" }, "
               "{ prefix = \"..\" }, { glob = \"..\" }, { exists = true }");
    }
    rule.match.push_back(std::move(c));
  }
}
}  // namespace

const OptionTable<RouteRule>& RouteTable() {
  static const auto* t =
      &(*new OptionTable<RouteRule>())
           .Custom({"match", "table",
                    "Conditions on attributes, all of which must hold: `attr = \"value\"` "
                    "(equals), `{ prefix = \"..\" }`, `{ glob = \"..\" }`, `{ exists = true }`.",
                    ParseMatch, [](const RouteRule&) { return std::string("{}"); }, nullptr})
           .StringList("sinks", &RouteRule::sinks,
                       "Send matching events to these sinks (instead of by topic).")
           .StringMap("set", &RouteRule::set,
                      "Extension attributes to add or overwrite on matching events.")
           .Bool("drop", &RouteRule::drop, "Drop matching events (counted).");
  return *t;
}

}  // namespace tributary
