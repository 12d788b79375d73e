#pragma once
// An injectable clock so that time-driven logic (batch age, file rotation) is testable.

#include <chrono>
#include <cstdint>

namespace tributary {

using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;     // for durations and deadlines
  virtual int64_t UnixNanos() const = 0;  // for timestamps people read
};

class SystemClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  int64_t UnixNanos() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& Get() {
    static const SystemClock kClock;
    return kClock;
  }
};

// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  SteadyTime Now() const override { return now_; }
  int64_t UnixNanos() const override { return unix_ns_; }
  void Advance(std::chrono::nanoseconds d) {
    now_ += d;
    unix_ns_ += d.count();
  }

 private:
  SteadyTime now_{};
  int64_t unix_ns_ = 1'700'000'000'000'000'000;
};

}  // namespace tributary
