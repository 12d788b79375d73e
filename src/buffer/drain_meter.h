#pragma once
// Measures how fast a queue drains (acknowledged bytes per second, smoothed), so that a
// full queue can tell clients when to come back (Retry-After) instead of a constant.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <mutex>

namespace tributary {

class DrainMeter {
 public:
  void Drained(uint64_t bytes) {
    drains_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    Roll(std::chrono::steady_clock::now());
    window_bytes_ += bytes;
  }

  // Seconds until `needed` bytes are likely to have drained: at least 1, at most 30.
  int RetryAfterSeconds(uint64_t needed) {
    std::lock_guard lock(mu_);
    Roll(std::chrono::steady_clock::now());
    if (rate_ <= 0) return kMax;  // nothing drains: the sink is down or stalled
    double s = std::ceil(static_cast<double>(needed) / rate_);
    return static_cast<int>(std::clamp(s, 1.0, static_cast<double>(kMax)));
  }

  // How many times the queue released room so far.
  uint64_t drains() const { return drains_.load(std::memory_order_relaxed); }

  double bytes_per_second() {
    std::lock_guard lock(mu_);
    Roll(std::chrono::steady_clock::now());
    return rate_;
  }

 private:
  static constexpr int kMax = 30;
  // Folds finished one-second windows into an exponentially weighted rate.
  void Roll(std::chrono::steady_clock::time_point now) {
    if (window_start_.time_since_epoch().count() == 0) window_start_ = now;
    while (now - window_start_ >= std::chrono::seconds(1)) {
      rate_ = rate_ == 0 && window_bytes_ > 0 ? window_bytes_ : 0.7 * rate_ + 0.3 * window_bytes_;
      if (rate_ < 1) rate_ = 0;
      window_bytes_ = 0;
      window_start_ += std::chrono::seconds(1);
      if (now - window_start_ > std::chrono::seconds(30)) window_start_ = now;  // long idle
    }
  }

  std::atomic<uint64_t> drains_{0};
  std::mutex mu_;
  std::chrono::steady_clock::time_point window_start_{};
  double window_bytes_ = 0;
  double rate_ = 0;
};

}  // namespace tributary
