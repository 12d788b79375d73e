#pragma once
// Ingest: what every source calls with a parsed batch. Routes the events, appends them to
// the buffer (all-or-nothing) and reports when the producer may be acknowledged.

#include <atomic>
#include <vector>

#include "admin/metrics.h"
#include "buffer/queue.h"
#include "routing/router.h"

namespace tributary {

class Ingest {
 public:
  Ingest(const Router& router, Buffer& buffer, Metrics& metrics);

  // Routes `batch` and appends it. `done` runs once (possibly before Submit returns) with
  // the buffer's outcome. A batch whose events are all dropped or unrouted (with no
  // fallback) succeeds at once: those events are counted, not queued.
  void Submit(const EventBatchPtr& batch, AppendCallback done);

  // The buffer's answer to a request of `bytes` before it is parsed: not ok if every queue
  // would refuse it anyway (see Buffer::RefusesAll).
  AppendOutcome RefusesAll(uint64_t bytes) { return buffer_.RefusesAll(bytes); }

  // Changes whenever a queue releases room (see Buffer::FreedCount).
  uint64_t FreedCount() const { return buffer_.FreedCount(); }

  // False once the buffer refuses appends for good (shutting down).
  bool accepting() const { return accepting_.load(); }
  void StopAccepting() { accepting_.store(false); }

 private:
  const Router& router_;
  Buffer& buffer_;
  std::vector<Counter*> routed_;  // per sink
  Counter& unrouted_;
  Counter& dropped_by_rule_;
  Counter& dropped_unrouted_;
  std::atomic<bool> accepting_{true};
};

}  // namespace tributary
