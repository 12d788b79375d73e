#include "sources/http/handler.h"

#include <boost/asio/steady_timer.hpp>

#include "format/compression.h"
#include "format/event_parser.h"
#include "format/json_text.h"

namespace tributary {
namespace {

constexpr unsigned kCodes[] = {200, 202, 400, 401, 403, 404, 405, 408, 413, 415, 431, 500, 503};

HttpAnswer Error(http::status status, std::string_view message) {
  HttpAnswer a;
  a.status = status;
  a.body = "{\"errors\":[{\"message\":";
  AppendJsonString(a.body, message);
  a.body += "}]}";
  return a;
}

// 503 for an append the buffer refused, with when to try again.
HttpAnswer Refused(const AppendOutcome& o) {
  HttpAnswer a = Error(http::status::service_unavailable, o.status.message());
  a.headers.emplace_back("Retry-After", std::to_string(o.retry_after_seconds));
  return a;
}

HttpAnswer EventErrors(http::status status, const std::vector<EventError>& errors) {
  HttpAnswer a;
  a.status = status;
  a.body = "{\"errors\":[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) a.body += ',';
    a.body += "{\"index\":" + std::to_string(errors[i].index) + ",\"attribute\":";
    AppendJsonString(a.body, errors[i].attribute);
    a.body += ",\"message\":";
    AppendJsonString(a.body, errors[i].message);
    a.body += '}';
  }
  a.body += "]}";
  return a;
}

// Compares every byte whatever the first difference, so the time taken tells nothing of how
// much of a token was guessed right.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = diff | (a[i] ^ b[i]);
  return diff == 0;
}

// Checks every configured token, also after a match.
bool TokenAccepted(const std::vector<std::string>& tokens, std::string_view presented) {
  bool ok = false;
  for (const std::string& t : tokens) ok |= ConstantTimeEquals(t, presented);
  return ok;
}

// nullopt if authorised, else the 401/403 answer.
std::optional<HttpAnswer> CheckToken(const std::vector<std::string>& tokens,
                                     const http::request_header<>& h) {
  if (tokens.empty()) return std::nullopt;
  auto it = h.find(http::field::authorization);
  if (it == h.end()) {
    HttpAnswer a = Error(http::status::unauthorized,
                         "missing bearer token: send 'Authorization: Bearer <token>'");
    a.headers.emplace_back("WWW-Authenticate", "Bearer");
    return a;
  }
  std::string_view v = it->value();
  if (v.size() < 7 || !IEquals(v.substr(0, 7), "bearer ")) {
    return Error(http::status::unauthorized, "the Authorization header must be 'Bearer <token>'");
  }
  if (!TokenAccepted(tokens, v.substr(7)))
    return Error(http::status::forbidden, "token not accepted");
  return std::nullopt;
}

// "/v1/topics/{topic}/events" -> topic; the topic may contain '/' and '.'.
std::optional<std::string_view> TopicOf(std::string_view path) {
  constexpr std::string_view kPrefix = "/v1/topics/", kSuffix = "/events";
  if (path.size() <= kPrefix.size() + kSuffix.size() || !path.starts_with(kPrefix) ||
      !path.ends_with(kSuffix))
    return std::nullopt;
  return path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

HttpHandler::HttpHandler(std::string source_name, const HttpSourceConfig& config,
                         const ApiConfig& api, Ingest& ingest, Metrics& metrics, const Clock& clock)
    : name_(std::move(source_name)),
      config_(config),
      api_(api),
      ingest_(ingest),
      metrics_(metrics),
      clock_(clock),
      received_events_(metrics.GetCounter("tributary_source_received_events_total",
                                          "Events accepted by a source",
                                          "source=" + LabelValue(name_))),
      received_bytes_(metrics.GetCounter("tributary_source_received_bytes_total",
                                         "Request body bytes accepted by a source (as sent)",
                                         "source=" + LabelValue(name_))),
      rejected_invalid_(metrics.GetCounter("tributary_source_rejected_requests_total",
                                           "Requests refused, by reason",
                                           "reason=\"invalid\",source=" + LabelValue(name_))),
      rejected_too_large_(metrics.GetCounter("tributary_source_rejected_requests_total",
                                             "Requests refused, by reason",
                                             "reason=\"too_large\",source=" + LabelValue(name_))),
      rejected_unavailable_(metrics.GetCounter(
          "tributary_source_rejected_requests_total", "Requests refused, by reason",
          "reason=\"unavailable\",source=" + LabelValue(name_))),
      rejected_unauthorized_(metrics.GetCounter(
          "tributary_source_rejected_requests_total", "Requests refused, by reason",
          "reason=\"unauthorized\",source=" + LabelValue(name_))) {
  for (unsigned code : kCodes) {
    requests_by_code_.emplace_back(
        code,
        &metrics.GetCounter("tributary_source_requests_total", "HTTP requests answered, by status",
                            "code=\"" + std::to_string(code) + "\",source=" + LabelValue(name_)));
  }
}

void HttpHandler::CountAnswer(http::status status) {
  unsigned code = static_cast<unsigned>(status);
  for (auto& [c, counter] : requests_by_code_) {
    if (c == code) counter->Inc();
  }
  switch (status) {
    case http::status::bad_request:
    case http::status::unsupported_media_type:
      rejected_invalid_.Inc();
      break;
    case http::status::payload_too_large:
    case http::status::request_header_fields_too_large:
      rejected_too_large_.Inc();
      break;
    case http::status::service_unavailable:
      rejected_unavailable_.Inc();
      break;
    case http::status::unauthorized:
    case http::status::forbidden:
      rejected_unauthorized_.Inc();
      break;
    default:
      break;
  }
}

std::optional<HttpAnswer> HttpHandler::CheckHeaders(const http::request_header<>& h) const {
  std::string_view path = PathOf(h.target());
  bool ingest_path = path == "/v1/events" || TopicOf(path).has_value();
  if (!ingest_path) {
    bool admin = api_.enabled && (path == "/metrics" || path == "/healthz" || path == "/readyz");
    if (!admin)
      return Error(http::status::not_found,
                   "no such endpoint; POST events to /v1/events or /v1/topics/{topic}/events");
    if (h.method() != http::verb::get && h.method() != http::verb::head) {
      HttpAnswer a = Error(http::status::method_not_allowed, "use GET");
      a.headers.emplace_back("Allow", "GET, HEAD");
      return a;
    }
    if (path == "/metrics") return CheckToken(api_.tokens, h);
    return std::nullopt;
  }
  if (h.method() != http::verb::post) {
    HttpAnswer a = Error(http::status::method_not_allowed, "use POST to send events");
    a.headers.emplace_back("Allow", "POST");
    return a;
  }
  if (auto denied = CheckToken(config_.tokens, h)) return denied;
  if (!ingest_.accepting()) {
    HttpAnswer a = Error(http::status::service_unavailable, "the collector is shutting down");
    a.headers.emplace_back("Retry-After", "1");
    return a;
  }
  return std::nullopt;
}

HttpAnswer HttpHandler::Admin(std::string_view path) const {
  HttpAnswer a;
  if (path == "/metrics") {
    a.body = metrics_.Render();
    a.content_type = "text/plain; version=0.0.4";
  } else if (path == "/healthz") {
    a.body = "{\"status\":\"ok\"}";
  } else {
    bool ready = ingest_.accepting();
    a.status = ready ? http::status::ok : http::status::service_unavailable;
    a.body = ready ? "{\"status\":\"ready\"}" : "{\"status\":\"shutting down\"}";
  }
  return a;
}

void HttpHandler::Handle(http::request<http::string_body>&& req,
                         const boost::asio::any_io_executor& executor, Respond respond) {
  auto counted = [this, respond = std::move(respond)](HttpAnswer a) {
    CountAnswer(a.status);
    respond(std::move(a));
  };
  if (auto refused = CheckHeaders(req.base())) return counted(std::move(*refused));
  std::string_view path = PathOf(req.target());
  if (path == "/metrics" || path == "/healthz" || path == "/readyz") return counted(Admin(path));
  std::string_view topic = path == "/v1/events" ? std::string_view() : *TopicOf(path);
  HandleEvents(std::move(req), topic, executor, std::move(counted));
}

void HttpHandler::HandleEvents(http::request<http::string_body>&& req, std::string_view topic,
                               const boost::asio::any_io_executor& executor, Respond respond) {
  size_t wire_bytes = req.body().size();
  // Choose the mode: a ce-specversion header means binary mode whatever the media type.
  std::string mt_buf;
  std::string_view media_type = NormalizeMediaType(req[http::field::content_type], mt_buf);
  bool binary = req.find("ce-specversion") != req.end();
  BodyFormat format = BodyFormat::kStructured;
  if (!binary) {
    if (media_type == "application/cloudevents+json")
      format = BodyFormat::kStructured;
    else if (media_type == "application/cloudevents-batch+json")
      format = BodyFormat::kBatch;
    else if (media_type == "application/json")
      format = BodyFormat::kJson;
    else if (media_type == "application/x-ndjson" || media_type == "application/ndjson" ||
             media_type == "application/jsonl")
      format = BodyFormat::kNdjson;
    else
      return respond(
          Error(http::status::unsupported_media_type,
                "unsupported Content-Type '" + std::string(media_type) +
                    "'; use application/cloudevents+json, application/cloudevents-batch+json, "
                    "application/json, application/x-ndjson, or binary mode (ce-* headers)"));
  }

  // Every queue full (and refusing): say so before paying to decompress and parse what would
  // be refused, which is what a full collector needs its CPU for least.
  if (AppendOutcome o = ingest_.RefusesAll(wire_bytes); !o.status.ok()) return respond(Refused(o));

  // Take the body, decompressing it if needed, into a buffer padded for the parser.
  std::string body;
  std::string_view encoding = req[http::field::content_encoding];
  if (encoding.empty() || IEquals(encoding, "identity")) {
    body = std::move(req.body());
  } else {
    Compression c;
    if (IEquals(encoding, "gzip") || IEquals(encoding, "x-gzip"))
      c = Compression::kGzip;
    else if (IEquals(encoding, "zstd"))
      c = Compression::kZstd;
    else
      return respond(
          Error(http::status::unsupported_media_type,
                "unsupported Content-Encoding '" + std::string(encoding) + "'; use gzip or zstd"));
    body.reserve(req.body().size() * 4 + simdjson::SIMDJSON_PADDING);
    Status st = Decompress(c, req.body(), body, config_.max_body_bytes);
    if (!st.ok()) {
      return respond(Error(st.code() == StatusCode::kTooLarge ? http::status::payload_too_large
                                                              : http::status::bad_request,
                           st.message() + (st.code() == StatusCode::kTooLarge
                                               ? "; raise max_body_bytes or send smaller requests"
                                               : "")));
    }
  }
  EnsurePadding(body);

  auto batch = std::make_shared<EventBatch>(std::move(body));
  batch->received_ns = clock_.UnixNanos();
  ParseOptions opts;
  opts.max_event_bytes = config_.max_event_bytes;
  opts.mapping = &config_.mapping;
  opts.topic = topic;
  opts.receive_ns = batch->received_ns;
  std::vector<EventError> errors;
  Status st;
  if (binary) {
    std::vector<HeaderField> headers;
    for (const auto& f : req) headers.push_back({f.name_string(), f.value()});
    st = ParseBinaryEvent(headers, *batch, opts, errors);
  } else {
    st = ParseEvents(format, *batch, opts, errors);
  }
  if (!st.ok()) {
    return respond(EventErrors(st.code() == StatusCode::kTooLarge ? http::status::payload_too_large
                                                                  : http::status::bad_request,
                               errors));
  }
  size_t events = batch->size();
  Respond accepted = [this, events, wire_bytes, respond = std::move(respond)](HttpAnswer a) {
    if (a.status == http::status::accepted) {
      received_events_.Inc(events);
      received_bytes_.Inc(wire_bytes);
    }
    respond(std::move(a));
  };
  auto give_up = std::chrono::steady_clock::time_point::max();
  Append(batch, executor, give_up, std::move(accepted));
}

void HttpHandler::Append(const EventBatchPtr& batch, const boost::asio::any_io_executor& executor,
                         std::chrono::steady_clock::time_point give_up, Respond respond) {
  uint64_t freed = ingest_.FreedCount();  // before the attempt: a release during it counts
  ingest_.Submit(batch, [this, batch, executor, give_up, freed,
                         respond = std::move(respond)](AppendOutcome o) mutable {
    if (o.status.ok()) {
      HttpAnswer a;
      a.status = http::status::accepted;
      a.body = "{\"accepted\":" + std::to_string(batch->size()) + "}";
      return respond(std::move(a));
    }
    auto now = std::chrono::steady_clock::now();
    if (o.full && o.may_block && ingest_.accepting()) {
      // `block`: wait for room without holding the I/O thread, up to block_timeout.
      if (give_up == std::chrono::steady_clock::time_point::max()) give_up = now + o.block_timeout;
      if (now < give_up)
        return WaitForRoom(batch, executor, give_up, freed, std::move(o), std::move(respond));
    }
    respond(Refused(o));
  });
}

// Looks every 10 ms, and routes and encodes the request again only once something was
// acknowledged: a blocked request tried again regardless cost the CPU the sinks need to
// drain (64 requests blocked on a stalled sink: 23% of a core).
void HttpHandler::WaitForRoom(const EventBatchPtr& batch,
                              const boost::asio::any_io_executor& executor,
                              std::chrono::steady_clock::time_point give_up, uint64_t freed,
                              AppendOutcome refusal, Respond respond) {
  auto timer = std::make_shared<boost::asio::steady_timer>(executor, std::chrono::milliseconds(10));
  timer->async_wait([this, timer, batch, executor, give_up, freed, refusal = std::move(refusal),
                     respond = std::move(respond)](auto) mutable {
    if (ingest_.FreedCount() != freed || !ingest_.accepting())
      return Append(batch, executor, give_up, std::move(respond));
    if (std::chrono::steady_clock::now() >= give_up) return respond(Refused(refusal));
    WaitForRoom(batch, executor, give_up, freed, std::move(refusal), std::move(respond));
  });
}

}  // namespace tributary
