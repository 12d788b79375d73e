#pragma once
// The http sink: POSTs each batch to an ingestion API with libcurl. One easy handle per
// sink keeps the connection alive between batches; redirects are never followed.
//
// Outcome classes (CAPABILITIES §5): any 2xx delivers; 408, 429, 5xx except 501, and
// transport errors (refused, reset, timeout) are retried, honouring Retry-After (seconds
// or an HTTP date); everything else is permanent and goes to the dead-letter queue. A
// retry after a timeout can deliver a batch twice: the Idempotency-Key header (the batch
// id) lets the receiver notice.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "sinks/http/curl_library.h"
#include "sinks/sink.h"

namespace tributary {

struct HttpSinkConfig {
  std::string url;
  std::string token;
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds timeout{30'000};
  std::string http_version = "auto";  // auto | 1.1 | 2
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure = false;
};

// Splits "A: x, B: y" at the commas that start a new "Name:" (so "X-Scope-OrgID: abc" and
// "Accept: a, b" stay whole); validates each as "Name: value".
Result<std::vector<std::pair<std::string, std::string>>> ParseHeaderList(
    const std::vector<std::string>& items);

// Parses a Retry-After value (delta seconds or an HTTP date) relative to `now_unix`.
std::chrono::milliseconds ParseRetryAfter(std::string_view value, int64_t now_unix);

class HttpSink final : public Sink {
 public:
  HttpSink(const CurlLibrary& lib, HttpSinkConfig config,
           std::vector<std::pair<std::string, std::string>> headers);
  ~HttpSink() override;

  SendResult Send(const EncodedBatch& batch) override;

 private:
  const CurlLibrary& lib_;
  const HttpSinkConfig config_;
  const std::vector<std::pair<std::string, std::string>> headers_;
  CURL* curl_;
  std::string response_;
  std::string retry_after_;
};

}  // namespace tributary
