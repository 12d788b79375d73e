#include "sinks/http/http_sink.h"

#include <ctime>

#include "core/time_util.h"
#include "format/compression.h"
#include "format/event_parser.h"
#include "format/percent.h"

namespace tributary {
namespace {

constexpr size_t kMaxResponse = 64 * 1024;  // kept for error reports; the rest is read and dropped

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size() && IEquals(line.substr(0, kName.size()), kName))
    static_cast<std::string*>(user)->assign(Trim(line.substr(kName.size())));
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t len = size * n;
  if (out->size() < kMaxResponse) out->append(data, std::min(len, kMaxResponse - out->size()));
  return len;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

std::string Excerpt(const std::string& body) { return body.substr(0, 512); }

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseHeaderList(
    const std::vector<std::string>& items) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& item : items) {
    // Cut at a comma only where what follows starts a new "Name:".
    std::vector<std::string_view> parts;
    std::string_view rest = item;
    size_t start = 0;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] != ',') continue;
      std::string_view next = Trim(rest.substr(i + 1));
      size_t colon = next.find(':');
      if (colon != std::string_view::npos && IsToken(Trim(next.substr(0, colon)))) {
        parts.push_back(rest.substr(start, i - start));
        start = i + 1;
      }
    }
    parts.push_back(rest.substr(start));
    for (std::string_view p : parts) {
      size_t colon = p.find(':');
      std::string_view name =
          colon == std::string_view::npos ? std::string_view() : Trim(p.substr(0, colon));
      if (!IsToken(name)) {
        return InvalidArgument("header \"" + std::string(Trim(p)) +
                               "\" is not of the form \"Name: value\"");
      }
      for (std::string_view reserved : {"authorization", "content-type", "content-encoding"}) {
        if (IEquals(name, reserved)) {
          return InvalidArgument(
              "header " + std::string(name) +
              " is set by Tributary and cannot be overridden (use `token` for Authorization)");
        }
      }
      out.emplace_back(std::string(name), std::string(Trim(p.substr(colon + 1))));
    }
  }
  return out;
}

std::chrono::milliseconds ParseRetryAfter(std::string_view v, int64_t now_unix) {
  if (v.empty()) return std::chrono::milliseconds(0);
  bool digits = true;
  for (char c : v) digits &= c >= '0' && c <= '9';
  if (digits) return std::chrono::seconds(std::stoll(std::string(v.substr(0, 9))));
  std::optional<int64_t> at = ParseHttpDate(v);
  if (!at) return std::chrono::milliseconds(0);
  return *at > now_unix ? std::chrono::seconds(*at - now_unix) : std::chrono::milliseconds(0);
}

HttpSink::HttpSink(const CurlLibrary& lib, HttpSinkConfig config,
                   std::vector<std::pair<std::string, std::string>> headers)
    : lib_(lib), config_(std::move(config)), headers_(std::move(headers)), curl_(lib_.easy_init()) {
  lib_.easy_setopt(curl_, CURLOPT_URL, config_.url.c_str());
  lib_.easy_setopt(curl_, CURLOPT_POST, 1L);
  lib_.easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
  lib_.easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  lib_.easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  lib_.easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(config_.timeout.count(), 10'000)));
  lib_.easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
  lib_.easy_setopt(curl_, CURLOPT_WRITEFUNCTION, OnBody);
  lib_.easy_setopt(curl_, CURLOPT_WRITEDATA, &response_);
  lib_.easy_setopt(curl_, CURLOPT_HEADERFUNCTION, OnHeader);
  lib_.easy_setopt(curl_, CURLOPT_HEADERDATA, &retry_after_);
  long version = config_.http_version == "2"     ? CURL_HTTP_VERSION_2TLS
                 : config_.http_version == "1.1" ? CURL_HTTP_VERSION_1_1
                                                 : CURL_HTTP_VERSION_NONE;
  lib_.easy_setopt(curl_, CURLOPT_HTTP_VERSION, version);
  if (!config_.ca_file.empty()) lib_.easy_setopt(curl_, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.cert_file.empty())
    lib_.easy_setopt(curl_, CURLOPT_SSLCERT, config_.cert_file.c_str());
  if (!config_.key_file.empty()) lib_.easy_setopt(curl_, CURLOPT_SSLKEY, config_.key_file.c_str());
  if (config_.insecure) {
    lib_.easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 0L);
    lib_.easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

HttpSink::~HttpSink() { lib_.easy_cleanup(curl_); }

SendResult HttpSink::Send(const EncodedBatch& batch) {
  curl_slist* headers = nullptr;
  auto add = [&](const std::string& line) { headers = lib_.slist_append(headers, line.c_str()); };
  // An empty value removes the header (binary mode without data: no body, no type).
  add("Content-Type: " + batch.meta.content_type);
  if (batch.compression != Compression::kNone)
    add("Content-Encoding: " + std::string(CompressionName(batch.compression)));
  if (!config_.token.empty()) add("Authorization: Bearer " + config_.token);
  if (!batch.id.empty()) add("Idempotency-Key: " + batch.id);
  add("Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : headers_) add(name + ": " + value);
  // Binary mode (HTTP binding §3.1.3): each attribute is a ce- header, percent-encoded.
  for (const auto& [name, value] : batch.meta.attributes) {
    std::string line = "ce-" + name + ": ";
    PercentEncode(value, line);
    add(line);
  }
  response_.clear();
  retry_after_.clear();
  lib_.easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  lib_.easy_setopt(curl_, CURLOPT_POSTFIELDS, batch.body.data());
  lib_.easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(batch.body.size()));
  CURLcode rc = lib_.easy_perform(curl_);
  lib_.slist_free_all(headers);
  if (rc != CURLE_OK) {
    return SendResult::Retry(std::string("POST ") + config_.url + ": " + lib_.easy_strerror(rc));
  }
  long status = 0;
  lib_.easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return SendResult::Ok();
  SendResult r;
  r.status = static_cast<int>(status);
  r.response_excerpt = Excerpt(response_);
  r.error = "POST " + config_.url + " answered " + std::to_string(status);
  bool retryable = status == 408 || status == 429 || (status >= 500 && status != 501);
  r.kind = retryable ? SendResult::kRetry : SendResult::kPermanent;
  if (retryable)
    r.retry_after = ParseRetryAfter(retry_after_, static_cast<int64_t>(std::time(nullptr)));
  return r;
}

}  // namespace tributary
