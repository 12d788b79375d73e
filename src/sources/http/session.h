#pragma once
// One HTTP/1.1 connection: reads requests one at a time (so pipelined requests are
// answered in order), enforces header/body limits and timeouts, and writes answers.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "sources/http/handler.h"

namespace tributary {

class HttpServer;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, const HttpSourceConfig& config,
              HttpHandler& handler, HttpServer& server);
  void Start();

 private:
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void RefuseBody();  // 413, then a lingering close
  void Answer(HttpAnswer answer, bool keep_alive);
  void Close();
  // Half-closes, then reads and discards what the client still sends (for a short time),
  // so a client writing a refused body reads our answer instead of a reset.
  void LingeringClose();
  void Drain();
  void EndRequest();  // the request in progress is answered (or abandoned)

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const HttpSourceConfig& config_;
  HttpHandler& handler_;
  HttpServer& server_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string answer_;  // the answer being written, reused
  bool counted_in_flight_ = false;
  bool first_request_ = true;
  bool body_unread_ = false;  // a refused request's body may still be arriving
};

}  // namespace tributary
