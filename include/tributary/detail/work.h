#pragma once
// A published payload as the queue's engine sees it: one slot per collector it was
// routed to. Consumers run the slots; the last one to finish completes the payload and
// wakes its waiters. The typed layer (collector_queue.h) says how a slot is run.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

namespace tributary {

class CollectorContext;

namespace detail {

// Monotonic nanoseconds: the clock of every time the queue measures.
inline int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Work {
 public:
  virtual ~Work();

  // Runs `collector` on the payload and stores its result in `slot`. Never throws;
  // returns false when the result is an error.
  virtual bool Run(size_t slot, size_t collector, CollectorContext& context) noexcept = 0;

  void Wait() const;
  bool WaitFor(std::chrono::nanoseconds timeout) const;
  bool is_done() const { return done_.load(std::memory_order_acquire); }
  std::chrono::nanoseconds wait_time() const;     // published -> first slot started
  std::chrono::nanoseconds service_time() const;  // first slot started -> last finished

  // Engine side, with times from SteadyNanos. Arm before the slots are queued; SlotDone
  // once per slot.
  void Arm(size_t slots, int64_t now);
  int64_t published_ns() const { return published_ns_; }
  void MarkStarted(int64_t now);
  void SlotDone(int64_t now);
  // Completes `slot` with an error result without running it.
  void Fail(size_t slot, std::string message) {
    SetError(slot, std::move(message));
    SlotDone(SteadyNanos());
  }

 protected:
  virtual void SetError(size_t slot, std::string message) noexcept = 0;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable done_cv_;
  std::atomic<size_t> remaining_{0};
  std::atomic<bool> done_{false};
  int64_t published_ns_ = 0;
  std::atomic<int64_t> started_ns_{0};
  std::atomic<int64_t> finished_ns_{0};
};

}  // namespace detail
}  // namespace tributary
