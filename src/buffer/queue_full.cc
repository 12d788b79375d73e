#include "buffer/queue_full.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

namespace tributary {

void WarnDroppingNewest(const std::string& sink) {
  static std::atomic<int64_t> last{INT64_MIN / 2};
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t prev = last.load();
  if (now - prev < 10 || !last.compare_exchange_strong(prev, now)) return;
  spdlog::warn(
      "queue for sink '{}' is full: dropping new events (policy drop_newest; counted in "
      "tributary_dropped_events_total{{reason=\"queue_full\"}}); raise sinks.{}.queue.max_bytes or "
      "fix "
      "what slows the sink",
      sink, sink);
}

}  // namespace tributary
