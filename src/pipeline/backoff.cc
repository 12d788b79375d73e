#include "pipeline/backoff.h"

#include <algorithm>

namespace tributary {

Backoff::Backoff(BackoffPolicy policy, std::function<uint64_t(uint64_t)> random)
    : policy_(policy), random_(std::move(random)), bound_(policy.initial) {}

std::chrono::milliseconds Backoff::Next(std::chrono::milliseconds server_delay) {
  std::chrono::milliseconds delay;
  if (server_delay.count() > 0) {
    delay = std::min(server_delay, policy_.max);
  } else {
    delay = std::chrono::milliseconds(random_(static_cast<uint64_t>(bound_.count())));
  }
  auto grown = bound_ * static_cast<int64_t>(policy_.multiplier);
  bound_ = std::min(grown, policy_.max);
  return delay;
}

}  // namespace tributary
