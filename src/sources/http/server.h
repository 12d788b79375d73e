#pragma once
// The HTTP source's network side on Boost.Beast. Each I/O thread runs its own io_context
// with its own acceptor on the same port (SO_REUSEPORT), so a connection lives on one
// thread and threads share nothing on the request path.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "sources/http/handler.h"

namespace tributary {

class HttpServer {
 public:
  HttpServer(const HttpSourceConfig& config, HttpHandler& handler);
  ~HttpServer();

  // Binds and starts the I/O threads. Fails with a message naming the address.
  Status Start();
  // Stops accepting, lets requests in progress finish (until `deadline`), closes all
  // connections and joins the threads.
  void Stop(std::chrono::steady_clock::time_point deadline);

  uint16_t port() const { return port_; }
  std::atomic<int>& in_flight() { return in_flight_; }
  bool draining() const { return draining_.load(); }

 private:
  struct Worker;
  const HttpSourceConfig& config_;
  HttpHandler& handler_;
  std::vector<std::unique_ptr<Worker>> workers_;
  uint16_t port_ = 0;
  std::atomic<int> in_flight_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace tributary
