#include "sources/http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "core/cpu_count.h"
#include "core/thread_name.h"
#include "sources/http/session.h"

namespace tributary {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::Worker {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
};

namespace {

void Accept(tcp::acceptor& acceptor, const HttpSourceConfig& config, HttpHandler& handler,
            HttpServer& server) {
  acceptor.async_accept([&](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), config, handler, server)->Start();
    } else {
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    Accept(acceptor, config, handler, server);
  });
}

}  // namespace

HttpServer::HttpServer(const HttpSourceConfig& config, HttpHandler& handler)
    : config_(config), handler_(handler) {}

HttpServer::~HttpServer() { Stop(std::chrono::steady_clock::now()); }

Status HttpServer::Start() {
  size_t colon = config_.address.rfind(':');
  std::string host = config_.address.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::string port = config_.address.substr(colon + 1);
  unsigned threads = config_.threads ? static_cast<unsigned>(config_.threads) : UsableCpuCount();
  boost::system::error_code ec;
  asio::io_context resolver_ctx;
  tcp::resolver resolver(resolver_ctx);
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    return InvalidArgument("cannot resolve listen address " + config_.address + ": " +
                           ec.message());
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto cannot_listen = [&] {
    return IoError("cannot listen on " + config_.address + ": " + ec.message() +
                   " (is another process using the port? change sources.<name>.address)");
  };
  if (endpoint.port() != 0) {
    // SO_REUSEPORT, which lets each I/O thread have its own acceptor, would also let a
    // second collector join a port already taken, and take half of its connections. A
    // socket without it cannot bind next to such listeners: try one first.
    tcp::acceptor probe(resolver_ctx);
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) probe.bind(endpoint, ec);
    if (ec) return cannot_listen();
  }
  for (unsigned i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->acceptor.open(endpoint.protocol(), ec);
    if (!ec) w->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      ::setsockopt(w->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (!ec) w->acceptor.bind(endpoint, ec);
    if (!ec) w->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return cannot_listen();
    // Port 0 picks a free port once; the other threads join it.
    endpoint.port(w->acceptor.local_endpoint().port());
    workers_.push_back(std::move(w));
  }
  port_ = endpoint.port();
  for (auto& w : workers_) {
    Accept(w->acceptor, config_, handler_, *this);
    w->thread = std::thread([w = w.get()] {
      NameThisThread("http-io");
      w->ioc.run();
    });
  }
  return Status::Ok();
}

void HttpServer::Stop(std::chrono::steady_clock::time_point deadline) {
  if (workers_.empty()) return;
  draining_.store(true);
  for (auto& w : workers_) {
    asio::post(w->ioc, [w = w.get()] {
      boost::system::error_code ec;
      w->acceptor.close(ec);
    });
  }
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& w : workers_) w->ioc.stop();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  workers_.clear();
}

}  // namespace tributary
