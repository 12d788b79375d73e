#pragma once
// What Send returns at once: a handle on the payload's progress and, when every
// collector it was routed to has finished, its results.

#include <chrono>
#include <memory>
#include <utility>

#include "tributary/collector_result.h"
#include "tributary/detail/work.h"

namespace tributary {

namespace detail {
// Work that holds a ResultList<R>; one slot per target collector.
template <typename R>
class ResultWork : public Work {
 public:
  explicit ResultWork(ResultList<R> results) : results_(std::move(results)) {}
  const ResultList<R>& results() const { return results_; }

 protected:
  void SetError(size_t slot, std::string message) noexcept override {
    results_.slot(slot).ReplaceOutcome(CollectorError{std::move(message)});
  }

  ResultList<R> results_;
};
}  // namespace detail

template <typename R>
class CollectorEvent {
 public:
  explicit CollectorEvent(std::shared_ptr<detail::ResultWork<R>> work) : work_(std::move(work)) {}

  // Blocks until every targeted collector has finished. Processor failures are error
  // results, never exceptions.
  const ResultList<R>& Wait() const& {
    work_->Wait();
    return work_->results();
  }
  // On a temporary event (`Send(p).Wait()`) the results are copied out, so that no
  // reference outlives the event that owns them.
  ResultList<R> Wait() const&& {
    work_->Wait();
    return work_->results();
  }
  // False if the timeout passed first.
  template <typename Rep, typename Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout) const {
    return work_->WaitFor(std::chrono::ceil<std::chrono::nanoseconds>(timeout));
  }
  // nullptr until done; then the results, valid as long as this event (or a copy) lives.
  const ResultList<R>* GetResult() const& { return is_done() ? &work_->results() : nullptr; }
  const ResultList<R>* GetResult() const&& = delete;  // would dangle
  bool is_done() const { return work_->is_done(); }
  // Published -> first collector started, and first started -> last finished (so far).
  std::chrono::nanoseconds wait_time() const { return work_->wait_time(); }
  std::chrono::nanoseconds service_time() const { return work_->service_time(); }

 private:
  std::shared_ptr<detail::ResultWork<R>> work_;
};

}  // namespace tributary
