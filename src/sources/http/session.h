#pragma once
// One HTTP/1.1 connection: reads requests one at a time (so pipelined requests are
// answered in order), enforces header/body limits and timeouts, and writes answers.
//
// An accepted request whose append completes on another thread (the disk queue's writer) is
// answered from that thread, with one `send` on a duplicate of the socket's descriptor,
// while this connection's I/O thread already reads the next request: nothing has to go back
// to the I/O thread, which saves it a wake-up per request. A request read meanwhile waits
// (is parked) until the answer before it is out.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "sources/http/handler.h"

namespace tributary {

class HttpServer;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, const HttpSourceConfig& config,
              HttpHandler& handler, HttpServer& server);
  ~HttpSession();
  void Start();

 private:
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);  // parks the request while an answer is owed
  void OnHeaderReady(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void RefuseBody();  // 413, then a lingering close
  void Answer(HttpAnswer answer, bool keep_alive);
  // The answer to the request just read, from whichever thread gives it.
  void OnAnswer(HttpAnswer answer, bool keep_alive, bool read_ahead);
  // Sends the answer to a request whose successor is being read, from the thread that gives
  // it, on the session's own descriptor (open even if a timeout closed the stream's). The
  // socket's buffer takes it whole unless the client stopped reading; then the I/O thread
  // writes the rest (WriteRest).
  void SendAhead(const HttpAnswer& answer);
  void WriteRest();
  void SettleOwed();  // the owed answer is out: resume a parked request
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
  bool body_unread_ = false;         // a refused request's body may still be arriving
  bool in_handle_ = false;           // inside handler_.Handle, on the I/O thread
  bool answered_in_handle_ = false;  // and the answer came from within it

  enum : uint8_t { kNothingOwed, kOwed, kOwedAndParked };
  std::atomic<uint8_t> owed_{kNothingOwed};
  boost::beast::error_code parked_ec_;
  std::shared_ptr<HttpSession> parked_;  // the session, while a request waits for an answer
  // For answers sent from another thread: a descriptor of its own, so that the I/O thread
  // closing the socket (a timeout, an error) can never let a new connection reuse the
  // number under such a `send`. Closed with the session; -1 if dup() failed.
  int send_fd_ = -1;
  std::thread::id io_thread_;
  std::string ahead_;  // the answer SendAhead formats, or what is left of it
};

}  // namespace tributary
