#pragma once
// A small blocking HTTP/1.1 client with keep-alive, for `tributary send` and tests.
// (The buffered client library with retries arrives with the client issue.)

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tributary {

struct Url {
  std::string host;
  std::string port;
  std::string target;  // path and query
};
Result<Url> ParseHttpUrl(std::string_view url);

struct ClientResponse {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::string port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request on the kept-alive connection (reconnecting once if it was closed).
  Result<ClientResponse> Request(std::string_view method, std::string_view target,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 std::string body);
  Result<ClientResponse> Get(std::string_view target) { return Request("GET", target, {}, {}); }
  Result<ClientResponse> Post(std::string_view target, std::string_view content_type,
                              std::string body,
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type", std::string(content_type));
    return Request("POST", target, headers, std::move(body));
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tributary
