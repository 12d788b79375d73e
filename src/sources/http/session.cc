#include "sources/http/session.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <iterator>

#include "sources/http/server.h"

namespace tributary {

namespace beast = boost::beast;

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, const HttpSourceConfig& config,
                         HttpHandler& handler, HttpServer& server)
    : stream_(std::move(socket)), config_(config), handler_(handler), server_(server) {}

void HttpSession::Start() { ReadHeader(); }

void HttpSession::ReadHeader() {
  if (server_.draining()) return Close();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(config_.max_header_bytes));
  parser_->body_limit(config_.max_body_bytes);
  // A new connection must send its headers within header_timeout; between requests a
  // keep-alive connection may idle up to idle_timeout.
  stream_.expires_after(first_request_ ? config_.header_timeout : config_.idle_timeout);
  first_request_ = false;
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void HttpSession::OnHeader(beast::error_code ec) {
  if (ec == http::error::header_limit) {
    handler_.CountAnswer(http::status::request_header_fields_too_large);
    HttpAnswer a;
    a.status = http::status::request_header_fields_too_large;
    a.body = "{\"errors\":[{\"message\":\"request headers are over max_header_bytes (" +
             std::to_string(config_.max_header_bytes) + ")\"}]}";
    return Answer(std::move(a), false);
  }
  if (ec == http::error::body_limit) {
    // Beast checks Content-Length against the body limit while parsing the header.
    server_.in_flight().fetch_add(1);
    counted_in_flight_ = true;
    body_unread_ = true;
    return RefuseBody();
  }
  if (ec) return Close();  // timeout, reset, or the client closed an idle connection
  server_.in_flight().fetch_add(1);
  counted_in_flight_ = true;

  auto& header = parser_->get();
  body_unread_ = !parser_->is_done();
  if (auto refused = handler_.CheckHeaders(header)) {
    handler_.CountAnswer(refused->status);
    // Refused before the body: close, since the unread body would be taken as the next request.
    return Answer(std::move(*refused), false);
  }
  if (beast::iequals(header[http::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    boost::asio::async_write(stream_, boost::asio::buffer(kContinue),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->Close();
                               self->ReadBody();
                             });
    return;
  }
  ReadBody();
}

void HttpSession::ReadBody() {
  auto len = parser_->content_length();
  if (len && !parser_->is_done() && *len <= buffer_.size()) {
    // The body came with the header (a small request): take it without another read, a
    // timer and a trip through the scheduler.
    std::string& body = parser_->get().body();
    body.reserve(*len + simdjson::SIMDJSON_PADDING);
    body.assign(static_cast<const char*>(buffer_.data().data()), *len);
    buffer_.consume(*len);
    return OnBody({});
  }
  stream_.expires_after(config_.body_timeout);
  if (!len || parser_->is_done()) {
    // Chunked (or empty): Beast's parser decodes it.
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
    return;
  }
  // A Content-Length body is read straight into its final string, with room for the JSON
  // parser's padding: a few large reads instead of Beast's 512-byte ones, and no copy
  // through the connection buffer. Bytes that came with the header are moved over first.
  std::string& body = parser_->get().body();
  body.reserve(*len + simdjson::SIMDJSON_PADDING);
  body.resize(*len);
  size_t have = std::min<size_t>(*len, buffer_.size());
  boost::asio::buffer_copy(boost::asio::buffer(body.data(), have), buffer_.data());
  buffer_.consume(have);
  boost::asio::async_read(
      stream_, boost::asio::buffer(body.data() + have, *len - have),
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void HttpSession::RefuseBody() {
  handler_.CountAnswer(http::status::payload_too_large);
  HttpAnswer a;
  a.status = http::status::payload_too_large;
  a.body = "{\"errors\":[{\"message\":\"request body is over max_body_bytes (" +
           std::to_string(config_.max_body_bytes) +
           "); send smaller requests or raise the limit\"}]}";
  Answer(std::move(a), false);
}

void HttpSession::OnBody(beast::error_code ec) {
  if (ec == http::error::body_limit) return RefuseBody();
  if (ec) return Close();
  body_unread_ = false;
  stream_.expires_never();  // the handler may wait for queue room; it answers in time
  http::request<http::string_body> req = parser_->release();
  bool keep_alive = req.keep_alive();
  handler_.Handle(std::move(req), stream_.get_executor(),
                  [self = shared_from_this(), keep_alive](HttpAnswer a) {
                    // The answer may come from another thread (a durable append): hop back.
                    boost::asio::dispatch(self->stream_.get_executor(),
                                          [self, keep_alive, a = std::move(a)]() mutable {
                                            self->Answer(std::move(a), keep_alive);
                                          });
                  });
}

void HttpSession::Answer(HttpAnswer answer, bool keep_alive) {
  keep_alive = keep_alive && !server_.draining();
  // Answers are small with few headers: formatted into the connection's own buffer and
  // written at once, they cost a fraction of a response object and Beast's serializer.
  answer_.clear();
  auto out = std::back_inserter(answer_);
  fmt::format_to(out, "HTTP/1.1 {} {}\r\nServer: tributary\r\nContent-Type: {}\r\n",
                 static_cast<unsigned>(answer.status),
                 std::string_view(http::obsolete_reason(answer.status)), answer.content_type);
  for (auto& [name, value] : answer.headers) fmt::format_to(out, "{}: {}\r\n", name, value);
  if (!keep_alive) answer_.append("Connection: close\r\n");
  fmt::format_to(out, "Content-Length: {}\r\n\r\n", answer.body.size());
  answer_.append(answer.body);
  stream_.expires_after(config_.body_timeout);
  boost::asio::async_write(stream_, boost::asio::buffer(answer_),
                           [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                             self->EndRequest();
                             if (ec) return self->Close();
                             if (!keep_alive)
                               return self->body_unread_ ? self->LingeringClose() : self->Close();
                             self->ReadHeader();
                           });
}

void HttpSession::EndRequest() {
  if (counted_in_flight_) {
    server_.in_flight().fetch_sub(1);
    counted_in_flight_ = false;
  }
}

void HttpSession::LingeringClose() {
  EndRequest();
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_.expires_after(std::chrono::seconds(2));
  Drain();
}

void HttpSession::Drain() {
  // Read into the connection's buffer without committing: the bytes are discarded.
  stream_.async_read_some(buffer_.prepare(16384),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec)
                              return self->stream_.close();  // the client finished, or 2 s passed
                            self->Drain();
                          });
}

void HttpSession::Close() {
  EndRequest();
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_.close();
}

}  // namespace tributary
