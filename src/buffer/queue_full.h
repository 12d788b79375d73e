#pragma once
// What both buffers say when a sink's queue is full.

#include <cstdint>
#include <string>

#include "buffer/queue.h"

namespace tributary {

// The refusal of an append to `sink`'s full queue, which holds `events` and `bytes`;
// `retry_after_seconds` says when to try again.
AppendOutcome QueueFull(const std::string& sink, const QueueLimits& limits, uint64_t events,
                        uint64_t bytes, int retry_after_seconds);

// Logs that `sink`'s queue dropped new events, at most once per 10 s per process.
void WarnDroppingNewest(const std::string& sink);

}  // namespace tributary
