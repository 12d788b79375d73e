#include "sources/http/session.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <iterator>

#include "sources/http/server.h"

namespace tributary {

namespace beast = boost::beast;

namespace {

// Answers are small with few headers: formatted into the connection's own buffer and
// written at once, they cost a fraction of a response object and Beast's serializer.
void FormatAnswer(const HttpAnswer& answer, bool keep_alive, std::string& out) {
  out.clear();
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\nServer: tributary\r\nContent-Type: {}\r\n",
                 static_cast<unsigned>(answer.status),
                 std::string_view(http::obsolete_reason(answer.status)), answer.content_type);
  for (auto& [name, value] : answer.headers) fmt::format_to(it, "{}: {}\r\n", name, value);
  if (!keep_alive) out.append("Connection: close\r\n");
  fmt::format_to(it, "Content-Length: {}\r\n\r\n", answer.body.size());
  out.append(answer.body);
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, const HttpSourceConfig& config,
                         HttpHandler& handler, HttpServer& server)
    : stream_(std::move(socket)), config_(config), handler_(handler), server_(server) {
  send_fd_ = ::dup(stream_.socket().native_handle());
}

HttpSession::~HttpSession() {
  if (send_fd_ >= 0) ::close(send_fd_);
}

void HttpSession::Start() {
  io_thread_ = std::this_thread::get_id();
  ReadHeader();
}

void HttpSession::ReadHeader() {
  // While an answer is owed the connection stays open for it; it closes after.
  if (server_.draining() && owed_.load() == kNothingOwed) return Close();
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
  // A request read while the answer to the one before is still owed waits for it: answers
  // go out in the order of the requests.
  // (Once nothing is owed, only this thread makes it owed again.)
  if (owed_.load() == kOwed) {
    parked_ec_ = ec;
    parked_ = shared_from_this();
    uint8_t owed = kOwed;
    if (owed_.compare_exchange_strong(owed, kOwedAndParked)) return;
    parked_.reset();
  }
  OnHeaderReady(ec);
}

void HttpSession::OnHeaderReady(beast::error_code ec) {
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
  // Read the next request while this one is appended, unless the connection ends here.
  bool read_ahead = keep_alive && send_fd_ >= 0 && !server_.draining();
  if (read_ahead) owed_.store(kOwed);
  in_handle_ = true;
  answered_in_handle_ = false;
  // While the next request is read, the read (or, once it is done, the parked request)
  // keeps the session alive until the answer is out; the answering thread holds none of it,
  // so the session is never destroyed there, after the server may have stopped.
  std::shared_ptr<HttpSession> hold = read_ahead ? nullptr : shared_from_this();
  handler_.Handle(std::move(req), stream_.get_executor(),
                  [this, hold = std::move(hold), keep_alive, read_ahead](HttpAnswer a) {
                    OnAnswer(std::move(a), keep_alive, read_ahead);
                  });
  in_handle_ = false;
  if (read_ahead && !answered_in_handle_) {
    counted_in_flight_ = false;  // whoever sends the answer ends the request
    ReadHeader();
  }
}

void HttpSession::OnAnswer(HttpAnswer answer, bool keep_alive, bool read_ahead) {
  bool on_io_thread = std::this_thread::get_id() == io_thread_;
  if (on_io_thread && in_handle_) {
    // Answered at once (refused, invalid, or a memory queue): the usual way, after which the
    // next request is read.
    answered_in_handle_ = true;
    if (read_ahead) owed_.store(kNothingOwed);
    return Answer(std::move(answer), keep_alive);
  }
  if (!read_ahead) {
    // The answer may come from another thread (a durable append): hop back.
    return boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this(), keep_alive,
                                                          a = std::move(answer)]() mutable {
      self->Answer(std::move(a), keep_alive);
    });
  }
  // The next request is being read: the answer goes out from here, whichever thread this is
  // (the queue's writer, or the I/O thread after a wait for room).
  SendAhead(answer);
}

void HttpSession::SendAhead(const HttpAnswer& answer) {
  FormatAnswer(answer, true, ahead_);
  ssize_t n = ::send(send_fd_, ahead_.data(), ahead_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  size_t sent = n > 0 ? static_cast<size_t>(n) : 0;
  if (sent < ahead_.size()) {
    ahead_.erase(0, sent);
    return boost::asio::dispatch(stream_.get_executor(),
                                 [self = shared_from_this()] { self->WriteRest(); });
  }
  // Once settled, the I/O thread may end the session at any moment (the client left), and
  // once the request is out of the count the server may stop: touch neither after.
  std::atomic<int>& in_flight = server_.in_flight();
  SettleOwed();
  in_flight.fetch_sub(1);
}

void HttpSession::WriteRest() {
  // On the socket itself: the stream's timer belongs to the read under way.
  boost::asio::async_write(stream_.socket(), boost::asio::buffer(ahead_),
                           [self = shared_from_this()](beast::error_code ec, size_t) {
                             self->server_.in_flight().fetch_sub(1);
                             if (ec || self->server_.draining()) self->Close();
                             self->SettleOwed();
                           });
}

void HttpSession::SettleOwed() {
  // Nothing of the session is touched after the exchange unless a request is parked (which
  // holds the session).
  if (owed_.exchange(kNothingOwed) == kOwedAndParked) {
    boost::asio::post(stream_.get_executor(),
                      [self = std::move(parked_)] { self->OnHeaderReady(self->parked_ec_); });
  }
}

void HttpSession::Answer(HttpAnswer answer, bool keep_alive) {
  keep_alive = keep_alive && !server_.draining();
  FormatAnswer(answer, keep_alive, answer_);
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
