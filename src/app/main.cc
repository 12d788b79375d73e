// tributary: the event collector's command line.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"
#include "config/config.h"

int main(int argc, char** argv) {
  using namespace tributary;
  CLI::App app{
      "Tributary: an event collector (CloudEvents in, batches out, nothing acknowledged lost)"};
  app.set_version_flag("--version", std::string("tributary ") + TRIBUTARY_VERSION);
  app.require_subcommand(1);

  RunOptions run;
  auto* run_cmd =
      app.add_subcommand("run", "Run the collector (the built-in default config without -c)");
  run_cmd->add_option("-c,--config", run.config_file, "Config file (TOML)");
  run_cmd->add_option("--log-format", run.log_format, "human or json")
      ->check(CLI::IsMember({"human", "json"}));
  run_cmd->add_option("--log-level", run.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  std::string check_file;
  auto* check_cmd = app.add_subcommand("check", "Validate a config file without running it");
  check_cmd->add_option("-c,--config", check_file, "Config file (TOML)")->required();

  SendOptions send;
  auto* send_cmd = app.add_subcommand(
      "send", "Post NDJSON or CloudEvents JSON events to a collector, in batches");
  send_cmd->add_option("input", send.input, "File to read, or - for standard input")
      ->capture_default_str();
  send_cmd->add_option("--url", send.url, "Ingest URL")->capture_default_str();
  send_cmd->add_option("--token", send.token, "Bearer token");
  send_cmd->add_option("--batch", send.batch, "Events per request")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  send_cmd
      ->add_option("--concurrency", send.concurrency, "Requests in flight (one connection each)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  send_cmd->add_option("--compression", send.compression, "Request body compression")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "gzip", "zstd"}));

  std::string queue_dir;
  auto* queue_cmd = app.add_subcommand("queue", "Look into a disk queue (read-only)");
  queue_cmd->require_subcommand(1);
  auto* inspect_cmd = queue_cmd->add_subcommand(
      "inspect", "Print segments, positions, record counts and corruption");
  inspect_cmd->add_option("dir", queue_dir, "The queue directory (storage.data_dir/queue)")
      ->required();
  auto* verify_cmd =
      queue_cmd->add_subcommand("verify", "Check every checksum; exit 1 on corruption");
  verify_cmd->add_option("dir", queue_dir, "The queue directory (storage.data_dir/queue)")
      ->required();

  DlqOptions dlq;
  auto* dlq_cmd =
      app.add_subcommand("dlq", "The dead-letter queue: list, show, replay or purge batches");
  dlq_cmd->require_subcommand(1);
  for (const char* action : {"list", "show", "replay", "purge"}) {
    auto* sub = dlq_cmd->add_subcommand(
        action, std::string(action) == "list"     ? "List dead-lettered batches"
                : std::string(action) == "show"   ? "Show a batch: the error and its events"
                : std::string(action) == "replay" ? "Put batches back into their sink's queue"
                                                  : "Delete batches");
    sub->add_option("id", dlq.id, "A batch id (all batches if omitted)")
        ->required(std::string(action) == "show");
    sub->add_option("--sink", dlq.sink, "Only this sink's batches");
    sub->add_option("--data-dir", dlq.data_dir, "storage.data_dir")->capture_default_str();
    sub->add_option("-c,--config", dlq.config_file, "Take data_dir from this config");
    sub->callback([&dlq, action] { dlq.action = action; });
  }

  auto* ref_cmd = app.add_subcommand("config-reference",
                                     "Print the reference of every config option (Markdown)");
  auto* default_cmd = app.add_subcommand("default-config", "Print the built-in default config");

  CLI11_PARSE(app, argc, argv);
  if (*run_cmd) return RunCommand(run);
  if (*check_cmd) return CheckCommand(check_file);
  if (*send_cmd) return SendCommand(send);
  if (*dlq_cmd) return DlqCommand(dlq);
  if (*queue_cmd) return QueueCommand(*verify_cmd ? "verify" : "inspect", queue_dir);
  if (*ref_cmd) {
    std::fputs(ConfigReference().c_str(), stdout);
    return 0;
  }
  if (*default_cmd) {
    std::fwrite(DefaultConfigText().data(), 1, DefaultConfigText().size(), stdout);
    return 0;
  }
  return 1;
}
