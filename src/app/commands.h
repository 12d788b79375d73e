#pragma once
// The `tributary` subcommands. Each returns the process exit code.

#include <string>
#include <vector>

namespace tributary {

struct RunOptions {
  std::string config_file;  // empty = built-in default
  std::string log_format;   // overrides [log] format when set
  std::string log_level;
};
int RunCommand(const RunOptions& options);

int CheckCommand(const std::string& config_file);

struct SendOptions {
  std::string url = "http://127.0.0.1:8080/v1/events";
  std::string input = "-";
  std::string token;
  size_t batch = 1000;
  size_t concurrency = 4;
  std::string compression = "none";
};
int SendCommand(const SendOptions& options);

// `queue inspect DIR` prints the disk queue's state; `queue verify DIR` also exits 1 on
// corruption. Neither changes anything.
int QueueCommand(const std::string& action, const std::string& dir);

struct DlqOptions {
  std::string action;  // list | show | replay | purge
  std::string data_dir = "./tributary-data";
  std::string config_file;  // if set, data_dir comes from its [storage]
  std::string sink;         // only this sink's dead letters
  std::string id;           // only this batch
};
int DlqCommand(const DlqOptions& options);

// Sets up spdlog: "human" or "json" lines on stderr, at `level`.
void SetUpLogging(const std::string& format, const std::string& level);

}  // namespace tributary
