#include <signal.h>
#include <spdlog/spdlog.h>

#include "app/commands.h"
#include "config/config.h"
#include "pipeline/topology.h"

namespace tributary {

int RunCommand(const RunOptions& options) {
  // Signals are taken synchronously by this thread: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Config config;
  try {
    config = options.config_file.empty() ? LoadConfig(DefaultConfigText(), "<built-in default>")
                                         : LoadConfigFile(options.config_file);
  } catch (const ConfigError& e) {
    SetUpLogging(options.log_format.empty() ? "human" : options.log_format, "info");
    spdlog::critical("{}", e.what());
    return 2;
  }
  SetUpLogging(options.log_format.empty() ? config.log.format : options.log_format,
               options.log_level.empty() ? config.log.level : options.log_level);
  spdlog::info("tributary {} starting with {}", TRIBUTARY_VERSION, config.file);

  Topology topology(std::move(config));
  if (Status st = topology.Start(); !st.ok()) {
    spdlog::critical("cannot start: {}", st.message());
    topology.Stop();
    return 1;
  }
  spdlog::info("ready");
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info(
      "received {}: stopping intake and delivering queued events (grace period {} s)",
      sig == SIGTERM ? "SIGTERM" : "SIGINT",
      std::chrono::duration_cast<std::chrono::seconds>(topology.config().runtime.grace_period)
          .count());
  topology.Stop();
  spdlog::info("stopped cleanly");
  return 0;
}

int CheckCommand(const std::string& config_file) {
  try {
    Config config = LoadConfigFile(config_file);
    std::printf("%s: OK (%zu sources, %zu sinks, %zu routes)\n", config_file.c_str(),
                config.sources.size(), config.sinks.size(), config.routes.size());
    return 0;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}

}  // namespace tributary
