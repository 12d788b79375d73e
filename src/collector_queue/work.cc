#include "tributary/detail/work.h"

namespace tributary::detail {

Work::~Work() = default;

void Work::Arm(size_t slots, int64_t now) {
  published_ns_ = now;
  remaining_.store(slots, std::memory_order_relaxed);
  if (slots == 0) {
    finished_ns_.store(published_ns_, std::memory_order_relaxed);
    done_.store(true, std::memory_order_release);
  }
}

void Work::MarkStarted(int64_t now) {
  int64_t none = 0;
  started_ns_.compare_exchange_strong(none, now, std::memory_order_relaxed);
}

void Work::SlotDone(int64_t now) {
  // acq_rel: the last slot sees every other slot's result before it publishes `done_`.
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  finished_ns_.store(now, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    done_.store(true, std::memory_order_release);
  }
  done_cv_.notify_all();
}

void Work::Wait() const {
  if (is_done()) return;
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return is_done(); });
}

bool Work::WaitFor(std::chrono::nanoseconds timeout) const {
  if (is_done()) return true;
  std::unique_lock lock(mu_);
  return done_cv_.wait_for(lock, timeout, [&] { return is_done(); });
}

std::chrono::nanoseconds Work::wait_time() const {
  int64_t started = started_ns_.load(std::memory_order_relaxed);
  return std::chrono::nanoseconds(started ? started - published_ns_ : 0);
}

std::chrono::nanoseconds Work::service_time() const {
  int64_t started = started_ns_.load(std::memory_order_relaxed);
  int64_t finished = finished_ns_.load(std::memory_order_relaxed);
  if (!started) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds((finished ? finished : SteadyNanos()) - started);
}

}  // namespace tributary::detail
