#pragma once
// The project's own HTTP receiver for sink tests: listens on a free loopback port,
// answers each request as scripted (a status with headers and body, a hang, or a dropped
// connection; 202 once the script is used up) and records every request it got.

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tributary::testing_util {

class TestReceiver {
 public:
  struct Answer {
    unsigned status = 202;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    enum Kind { kRespond, kHang, kDrop } kind = kRespond;
    std::chrono::milliseconds hang{0};

    static Answer Status(unsigned status,
                         std::vector<std::pair<std::string, std::string>> headers = {},
                         std::string body = {}) {
      Answer a;
      a.status = status;
      a.headers = std::move(headers);
      a.body = std::move(body);
      return a;
    }
    static Answer Hang(std::chrono::milliseconds d) {
      Answer a;
      a.kind = kHang;
      a.hang = d;
      return a;
    }
    static Answer Drop() {
      Answer a;
      a.kind = kDrop;
      return a;
    }
  };
  struct Request {
    std::string method, target, body;
    std::map<std::string, std::string> headers;  // lowercased names
    std::chrono::steady_clock::time_point at;
  };

  TestReceiver() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~TestReceiver() {
    stop_ = true;
    boost::system::error_code ec;
    {
      // A blocking accept() is not woken by close() from another thread: connect to it.
      boost::asio::io_context ctx;
      boost::asio::ip::tcp::socket wake(ctx);
      wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    // Closed once the accepting thread is gone: closing it under a blocking accept() races.
    if (thread_.joinable()) thread_.join();
    acceptor_.close(ec);
    std::vector<std::thread> conns;
    {
      std::lock_guard lock(mu_);
      conns.swap(connections_);
    }
    for (auto& t : conns) t.join();
  }

  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/ingest") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Answers for the next requests, in order.
  void Script(std::vector<Answer> answers) {
    std::lock_guard lock(mu_);
    for (auto& a : answers) script_.push_back(std::move(a));
  }
  // While down, every request gets 503 (as an unavailable API would answer).
  void SetDown(bool down) { down_ = down; }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      std::lock_guard lock(mu_);
      connections_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }

  void Serve(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    while (!stop_) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      Request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.body = req.body();
      r.at = std::chrono::steady_clock::now();
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      Answer a;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(std::move(r));
        if (down_) {
          a.status = 503;
        } else if (!script_.empty()) {
          a = script_.front();
          script_.pop_front();
        }
      }
      if (a.kind == Answer::kDrop) return;  // close without answering
      if (a.kind == Answer::kHang) {
        auto until = std::chrono::steady_clock::now() + a.hang;
        while (!stop_ && std::chrono::steady_clock::now() < until)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return;
      }
      http::response<http::string_body> res{static_cast<http::status>(a.status), 11};
      for (auto& [n, v] : a.headers) res.set(n, v);
      res.body() = a.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> down_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::thread> connections_;
  std::deque<Answer> script_;
  std::vector<Request> requests_;
};

}  // namespace tributary::testing_util
