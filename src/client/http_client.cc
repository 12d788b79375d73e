#include "client/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tributary {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<Url> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme))
    return InvalidArgument("only http:// URLs are supported: " + std::string(url));
  url.remove_prefix(kScheme.size());
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  Url u;
  u.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    u.host = std::string(authority);
    u.port = "80";
  } else {
    u.host = std::string(authority.substr(0, colon));
    u.port = std::string(authority.substr(colon + 1));
  }
  if (u.host.empty()) return InvalidArgument("URL has no host: " + std::string(url));
  return u;
}

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (beast::iequals(n, name)) return v;
  }
  return {};
}

struct HttpClient::Impl {
  std::string host, port;
  boost::asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, port, ec);
    if (!ec) stream.connect(results, ec);
    if (ec) return IoError("cannot connect to " + host + ":" + port + ": " + ec.message());
    stream.socket().set_option(tcp::no_delay(true), ec);
    connected = true;
    buffer.clear();
    return Status::Ok();
  }
};

HttpClient::HttpClient(std::string host, std::string port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = std::move(port);
}

HttpClient::~HttpClient() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

Result<ClientResponse> HttpClient::Request(
    std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string body) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, impl_->host);
  for (const auto& [n, v] : headers) req.set(n, v);
  req.body() = std::move(body);
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->connected) TRIBUTARY_RETURN_IF_ERROR(impl_->Connect());
    beast::error_code ec;
    http::write(impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    if (!ec) http::read(impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      // A kept-alive connection the server closed: reconnect once.
      impl_->connected = false;
      impl_->stream.close();
      if (attempt == 0 &&
          (ec == http::error::end_of_stream || ec == boost::asio::error::connection_reset ||
           ec == boost::asio::error::broken_pipe || ec == boost::asio::error::eof))
        continue;
      return IoError("HTTP request to " + impl_->host + ":" + impl_->port +
                     " failed: " + ec.message());
    }
    auto res = parser.release();
    ClientResponse out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    for (const auto& f : res)
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (!res.keep_alive()) {
      impl_->connected = false;
      impl_->stream.close();
    }
    return out;
  }
  return IoError("unreachable");
}

}  // namespace tributary
