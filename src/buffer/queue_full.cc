#include "buffer/queue_full.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

namespace tributary {

AppendOutcome QueueFull(const std::string& sink, const QueueLimits& limits, uint64_t events,
                        uint64_t bytes, int retry_after_seconds) {
  AppendOutcome o;
  o.status = Unavailable("queue for sink '" + sink + "' is full (" + std::to_string(events) +
                         " events, " + std::to_string(bytes) + " bytes queued); raise sinks." +
                         sink + ".queue.max_events or sinks." + sink +
                         ".queue.max_bytes, or fix what slows the sink");
  o.full = true;
  o.full_sink = sink;
  o.may_block = limits.when_full == FullPolicy::kBlock;
  o.block_timeout = limits.block_timeout;
  o.retry_after_seconds = retry_after_seconds;
  return o;
}

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
