#pragma once
// An exponentially decaying event rate (events per second over about the last `tau`),
// as load averages are kept. Not thread-safe: the engine holds its lock.

#include <cmath>
#include <cstdint>

namespace tributary::detail {

class RateMeter {
 public:
  explicit RateMeter(double tau_seconds = 1.0) : tau_(tau_seconds) {}

  void Mark(int64_t now_ns, double n = 1) {
    Decay(now_ns);
    rate_ += n / tau_;
  }
  double Rate(int64_t now_ns) {
    Decay(now_ns);
    return rate_;
  }

 private:
  void Decay(int64_t now_ns) {
    if (last_ns_ != 0 && now_ns > last_ns_) rate_ *= std::exp(-(now_ns - last_ns_) / 1e9 / tau_);
    last_ns_ = now_ns;
  }

  double tau_;
  double rate_ = 0;
  int64_t last_ns_ = 0;
};

}  // namespace tributary::detail
