#pragma once
// The embeddable collector queue: publish a payload, have it routed to one, some or all
// collectors, run concurrently by a pool of consumers that grows and shrinks with load,
// and get each collector's result back, or fire and forget.
//
//   CollectorQueue<Reading, double> queue({...collectors...}, {.max_consumers = 8});
//   queue.Start();
//   CollectorEvent<double> e = queue.publisher().Send({.value = r, .delivery = Delivery::kTopic,
//                                                      .topics = {"sensors/kitchen/temp"}});
//   for (const CollectorResult<double>& r : e.Wait()) ...
//   queue.Stop();
//
// Threading: Send, metrics and the events' members may be called from any thread.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tributary/collector.h"
#include "tributary/collector_event.h"
#include "tributary/collector_result.h"
#include "tributary/detail/queue_engine.h"
#include "tributary/payload.h"
#include "tributary/queue_options.h"

namespace tributary {

template <typename T, typename R = std::monostate>
class CollectorQueue;

// A handle for publishing; cheap to copy, valid as long as its queue.
template <typename T, typename R = std::monostate>
class Publisher {
 public:
  explicit Publisher(CollectorQueue<T, R>& queue) : queue_(&queue) {}
  CollectorEvent<R> Send(Payload<T> payload) const { return queue_->Send(std::move(payload)); }

 private:
  CollectorQueue<T, R>* queue_;
};

template <typename T, typename R>
class CollectorQueue {
 public:
  // Returns the keys of the collectors a payload goes to; replaces delivery/keys/topics.
  using Router = std::function<std::vector<std::string>(const Payload<T>&)>;

  // Throws std::invalid_argument on duplicate keys, bad topic patterns or bounds.
  explicit CollectorQueue(std::vector<Collector<T, R>> collectors,
                          CollectorQueueOptions options = {}, Router router = nullptr)
      : router_(std::move(router)), engine_(Specs(collectors), options) {
    processors_.reserve(collectors.size());
    for (auto& c : collectors) processors_.push_back(std::move(c.processor));
  }
  // Stops (default timeout) if still running.
  ~CollectorQueue() = default;
  CollectorQueue(const CollectorQueue&) = delete;
  CollectorQueue& operator=(const CollectorQueue&) = delete;

  void Start() { engine_.Start(); }
  StopReport Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return engine_.Stop(timeout);
  }
  bool running() const { return engine_.running(); }

  // Start now, Stop when the returned guard goes out of scope.
  class [[nodiscard]] Running {
   public:
    explicit Running(CollectorQueue& q) : q_(&q) { q_->Start(); }
    ~Running() {
      if (q_) q_->Stop();
    }
    Running(Running&& o) noexcept : q_(std::exchange(o.q_, nullptr)) {}
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    Running& operator=(Running&&) = delete;

   private:
    CollectorQueue* q_;
  };
  Running StartScoped() { return Running(*this); }

  Publisher<T, R> publisher() { return Publisher<T, R>(*this); }

  // Returns at once. The payload is moved into the queue and shared by its collectors.
  CollectorEvent<R> Send(Payload<T> payload) {
    std::vector<size_t> targets =
        router_ ? engine_.Resolve(router_(payload))
                : engine_.Route(payload.delivery, payload.keys, payload.topics);
    int priority = payload.priority.value_or(engine_.default_priority());
    std::vector<CollectorResult<R>> slots;
    slots.reserve(targets.size());
    for (size_t t : targets) {
      slots.emplace_back(CollectorError{"not run"});
      slots.back().set_collector(engine_.key(t));
    }
    auto work =
        std::make_shared<Work>(std::move(payload), processors_, ResultList<R>(std::move(slots)));
    engine_.Submit(work, targets, priority);
    return CollectorEvent<R>(std::move(work));
  }

  CollectorQueueMetrics metrics() const { return engine_.Metrics(); }
  std::function<CollectorQueueMetrics()> metrics_reader() const { return engine_.MetricsReader(); }

 private:
  class Work final : public detail::ResultWork<R> {
   public:
    Work(Payload<T> payload, const std::vector<Processor<T, R>>& processors, ResultList<R> results)
        : detail::ResultWork<R>(std::move(results)),
          payload_(std::move(payload)),
          processors_(processors) {}

    bool Run(size_t slot, size_t collector, CollectorContext& context) noexcept override {
      CollectorResult<R>& out = this->results_.slot(slot);
      try {
        out.ReplaceOutcome(processors_[collector](payload_.value, context));
      } catch (const std::exception& e) {
        out.ReplaceOutcome(CollectorError{std::string("processor threw: ") + e.what()});
      } catch (...) {
        out.ReplaceOutcome(
            CollectorError{"processor threw something that is not a std::exception"});
      }
      return out.ok();
    }

   private:
    const Payload<T> payload_;
    const std::vector<Processor<T, R>>& processors_;
  };

  static std::vector<detail::CollectorSpec> Specs(const std::vector<Collector<T, R>>& cs) {
    std::vector<detail::CollectorSpec> specs;
    for (const auto& c : cs) specs.push_back({c.key, c.topics, c.lifecycle, c.exclusive});
    return specs;
  }

  Router router_;
  std::vector<Processor<T, R>> processors_;
  detail::QueueEngine engine_;  // last: its consumers stop before the processors go
};

}  // namespace tributary
