#pragma once
// Runs the real `tributary` binary for an integration test: writes a config into a fresh
// temporary directory, starts `tributary run -c`, waits until /healthz answers, and stops
// it with SIGTERM (SIGKILL if it hangs, and always on destruction, so a failing test
// never leaves a process behind).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/http_client.h"
#include "format/compression.h"

extern char** environ;

namespace tributary::testing_util {

namespace fs = std::filesystem;

inline uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `args` with stdout and stderr appended to `log`, in `cwd` if given.
inline pid_t Spawn(std::vector<std::string> args, const fs::path& log, const fs::path& cwd = {}) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

// Runs `args` to completion; returns the exit code and fills `output` with stdout+stderr.
inline int RunTool(std::vector<std::string> args, std::string* output, const fs::path& log) {
  fs::remove(log);
  pid_t pid = Spawn(std::move(args), log);
  if (pid < 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output) *output = ReadFile(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Replaces every `from` in `s` with `to` (a config template's placeholders).
inline void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
}

class CollectorProcess {
 public:
  // `config` may use {PORT} and {DIR}; they are replaced by a free port and the temp dir.
  explicit CollectorProcess(std::string config) {
    dir_ = fs::temp_directory_path() /
           ("tributary-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    port_ = FreePort();
    ReplaceAll(config, "{PORT}", std::to_string(port_));
    ReplaceAll(config, "{DIR}", dir_.string());
    std::ofstream(dir_ / "tributary.toml") << config;
  }
  ~CollectorProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    client_.reset();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir_);
  }

  // Starts the collector and waits until it answers; returns false (with the log) if not.
  bool Start() {
    pid_ = Spawn({TRIBUTARY_BINARY, "run", "-c", (dir_ / "tributary.toml").string()},
                 dir_ / "tributary.log", dir_);
    if (pid_ < 0) return false;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < until) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;  // exited during start-up
      }
      HttpClient probe("127.0.0.1", std::to_string(port_));
      auto res = probe.Get("/healthz");
      if (res && res->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // SIGTERM and wait; returns the exit code (or -1 if it had to be killed).
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(40)) {
    if (pid_ <= 0) return -1;
    client_.reset();
    ::kill(pid_, SIGTERM);
    auto until = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        // Under the asan and tsan presets the collector reports errors and races to its log.
        std::string log = Log();
        EXPECT_EQ(log.find("Sanitizer"), std::string::npos) << log;
        EXPECT_EQ(log.find("runtime error:"), std::string::npos) << log;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
  }

  // SIGKILL, as a crash: no shutdown work at all.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  HttpClient& client() {
    if (!client_) client_ = std::make_unique<HttpClient>("127.0.0.1", std::to_string(port_));
    return *client_;
  }
  Result<ClientResponse> Post(const std::string& path, const std::string& content_type,
                              std::string body,
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
    return client().Post(path, content_type, std::move(body), std::move(headers));
  }

  // Every line of every completed output file under `sub` (decompressed by suffix).
  std::vector<std::string> OutputLines(const std::string& sub = "out") const {
    std::vector<std::string> lines;
    if (!fs::exists(dir_ / sub)) return lines;
    for (auto& e : fs::recursive_directory_iterator(dir_ / sub)) {
      // Hidden: files still being written, and the sink's lock.
      if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
      std::string raw = ReadFile(e.path()), text;
      if (e.path().extension() == ".gz") {
        (void)Decompress(Compression::kGzip, raw, text, 1u << 30);
      } else if (e.path().extension() == ".zst") {
        (void)Decompress(Compression::kZstd, raw, text, 1u << 30);
      } else {
        text = raw;
      }
      std::istringstream in(text);
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
      }
    }
    return lines;
  }

  std::string Log() const { return ReadFile(dir_ / "tributary.log"); }
  const fs::path& dir() const { return dir_; }
  uint16_t port() const { return port_; }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<HttpClient> client_;
};

// The value of one series on the collector's /metrics, e.g.
// `tributary_queue_events{sink="files"}`; -1 if it is not there.
inline double Metric(CollectorProcess& c, const std::string& series) {
  auto res = c.client().Get("/metrics");
  if (!res) return -1;
  size_t at = res->body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(res->body.substr(at + series.size() + 2));
}

// Polls `done` until it holds (true) or `limit` passes (false).
template <typename F>
bool WaitFor(F&& done, std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace tributary::testing_util
