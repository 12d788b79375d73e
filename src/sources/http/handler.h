#pragma once
// HttpHandler turns one HTTP request into events and an answer: the ingest API
// (POST /v1/events, POST /v1/topics/{topic}/events) and the admin endpoints (/metrics,
// /healthz, /readyz). It knows nothing of sockets, so it is tested without a network.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/metrics.h"
#include "config/config.h"
#include "pipeline/ingest.h"

namespace tributary {

namespace http = boost::beast::http;

struct HttpAnswer {
  http::status status = http::status::ok;
  std::string body;
  std::string_view content_type = "application/json";  // always a literal
  std::vector<std::pair<std::string, std::string>> headers;
};

using Respond = std::function<void(HttpAnswer)>;

class HttpHandler {
 public:
  HttpHandler(std::string source_name, const HttpSourceConfig& config, const ApiConfig& api,
              Ingest& ingest, Metrics& metrics, const Clock& clock);

  // Checks a request from its headers alone, before its body is read. Returns the answer
  // if the request is refused (bad path or method, missing token, body too large).
  std::optional<HttpAnswer> CheckHeaders(const http::request_header<>& header) const;

  // Handles a complete request. `respond` runs exactly once, maybe before Handle returns;
  // `executor` is used for timers when a full queue's policy is to wait.
  void Handle(http::request<http::string_body>&& request,
              const boost::asio::any_io_executor& executor, Respond respond);

  // Counts an answer given outside Handle (timeouts, limits hit while reading).
  void CountAnswer(http::status status);

 private:
  HttpAnswer Admin(std::string_view path) const;
  void HandleEvents(http::request<http::string_body>&& request, std::string_view topic,
                    const boost::asio::any_io_executor& executor, Respond respond);
  void Append(const EventBatchPtr& batch, const boost::asio::any_io_executor& executor,
              std::chrono::steady_clock::time_point give_up, Respond respond);
  // `block`: appends again once a queue has released room since `freed`, or answers
  // `refusal` at `give_up`.
  void WaitForRoom(const EventBatchPtr& batch, const boost::asio::any_io_executor& executor,
                   std::chrono::steady_clock::time_point give_up, uint64_t freed,
                   AppendOutcome refusal, Respond respond);

  const std::string name_;
  const HttpSourceConfig& config_;
  const ApiConfig& api_;
  Ingest& ingest_;
  Metrics& metrics_;
  const Clock& clock_;

  Counter& received_events_;
  Counter& received_bytes_;
  Counter& rejected_invalid_;
  Counter& rejected_too_large_;
  Counter& rejected_unavailable_;
  Counter& rejected_unauthorized_;
  std::vector<std::pair<unsigned, Counter*>> requests_by_code_;
};

}  // namespace tributary
