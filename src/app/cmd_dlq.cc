// `tributary dlq list|show|replay|purge`: the dead-letter queue on disk.
#include <filesystem>

#include "app/commands.h"
#include "config/config.h"
#include "core/time_util.h"
#include "pipeline/dead_letters.h"

namespace fs = std::filesystem;

namespace tributary {

int DlqCommand(const DlqOptions& o) {
  std::string data_dir = o.data_dir;
  if (!o.config_file.empty()) {
    try {
      data_dir = LoadConfigFile(o.config_file).storage.data_dir;
    } catch (const ConfigError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 2;
    }
  }
  auto letters = ListDeadLetters(data_dir, o.sink);
  if (!letters) {
    std::fprintf(stderr, "dlq: %s\n", letters.status().message().c_str());
    return 2;
  }
  std::vector<DeadLetterFile> chosen;
  for (auto& l : *letters) {
    if (o.id.empty() || l.letter.id == o.id) chosen.push_back(l);
  }
  if (!o.id.empty() && chosen.empty()) {
    std::fprintf(stderr, "dlq: no dead letter with id %s under %s/dlq\n", o.id.c_str(),
                 data_dir.c_str());
    return 1;
  }
  if (o.action == "list") {
    std::printf("%-40s %-12s %7s %8s %6s  %-30s %s\n", "ID", "SINK", "EVENTS", "ATTEMPTS", "STATUS",
                "LAST ERROR AT", "ERROR");
    for (const auto& l : chosen) {
      std::printf("%-40s %-12s %7zu %8d %6d  %-30s %s\n", l.letter.id.c_str(),
                  l.letter.sink.c_str(), l.letter.events, l.letter.attempts, l.letter.status,
                  FormatRfc3339(l.letter.last_error_ns).c_str(), l.letter.error.c_str());
    }
    std::printf("%zu dead-lettered batch%s\n", chosen.size(), chosen.size() == 1 ? "" : "es");
    return 0;
  }
  if (o.action == "show") {
    for (const auto& l : chosen) {
      auto content = ReadDeadLetter(l.path);
      if (!content) {
        std::fprintf(stderr, "dlq: %s\n", content.status().message().c_str());
        return 2;
      }
      const DeadLetter& d = content->first;
      std::printf(
          "id:          %s\nsink:        %s\nevents:      %zu\nattempts:    %d\nstatus:      %d\n"
          "error:       %s\nfirst error: %s\nlast error:  %s\nresponse:    %s\nfile:        "
          "%s\n\n%s",
          d.id.c_str(), d.sink.c_str(), d.events, d.attempts, d.status, d.error.c_str(),
          FormatRfc3339(d.first_error_ns).c_str(), FormatRfc3339(d.last_error_ns).c_str(),
          d.response_excerpt.c_str(), l.path.c_str(), content->second.c_str());
    }
    return 0;
  }
  size_t n = 0;
  for (const auto& l : chosen) {
    std::error_code ec;
    if (o.action == "replay") {
      // The running collector (or the next one to start) puts these back into the queue.
      fs::path dir = fs::path(l.path).parent_path() / "replay";
      fs::create_directories(dir, ec);
      if (!ec) fs::rename(l.path, dir / fs::path(l.path).filename(), ec);
    } else {
      fs::remove(l.path, ec);
    }
    if (ec) {
      std::fprintf(stderr, "dlq: %s: %s\n", l.path.c_str(), ec.message().c_str());
      return 2;
    }
    ++n;
  }
  std::printf("%s %zu dead-lettered batch%s\n",
              o.action == "replay" ? "queued for replay:" : "purged:", n, n == 1 ? "" : "es");
  return 0;
}

}  // namespace tributary
