#pragma once
// The retry schedule shared by every sink: exponential bounds with full jitter (each delay
// is uniform in [0, bound]), bounds growing by `multiplier` up to `max_backoff`; a
// server-given delay (Retry-After) is taken as it is, capped at max_backoff.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace tributary {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  uint64_t multiplier = 2;
  std::chrono::milliseconds max{30'000};
};

class Backoff {
 public:
  // `random(n)` returns a uniform integer in [0, n]; tests inject their own.
  Backoff(BackoffPolicy policy, std::function<uint64_t(uint64_t)> random);

  // The delay before the next attempt, after a failure.
  std::chrono::milliseconds Next(
      std::chrono::milliseconds server_delay = std::chrono::milliseconds(0));
  void Reset() { bound_ = policy_.initial; }
  std::chrono::milliseconds bound() const { return bound_; }

 private:
  BackoffPolicy policy_;
  std::function<uint64_t(uint64_t)> random_;
  std::chrono::milliseconds bound_;
};

}  // namespace tributary
