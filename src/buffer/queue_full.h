#pragma once
// When a sink's queue is full, and what both buffers say then.

#include <cstdint>
#include <string>

#include "buffer/queue.h"

namespace tributary {

// Whether a queue holding `events` and `bytes` takes `add_events` and `add_bytes` more. An
// empty queue takes any one append, so that one oversized request cannot wedge it.
inline bool QueueHasRoom(const QueueLimits& limits, uint64_t events, uint64_t bytes,
                         uint64_t add_events, uint64_t add_bytes) {
  return events == 0 ||
         (events + add_events <= limits.max_events && bytes + add_bytes <= limits.max_bytes);
}

// The refusal of an append to `sink`'s full queue, which holds `events` and `bytes`;
// `retry_after_seconds` says when to try again.
AppendOutcome QueueFull(const std::string& sink, const QueueLimits& limits, uint64_t events,
                        uint64_t bytes, int retry_after_seconds);

// Logs that `sink`'s queue dropped new events, at most once per 10 s per process.
void WarnDroppingNewest(const std::string& sink);

}  // namespace tributary
