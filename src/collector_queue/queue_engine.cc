#include "tributary/detail/queue_engine.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "collector_queue/rate_meter.h"
#include "collector_queue/run_queue.h"
#include "core/cpu_count.h"
#include "routing/topic_pattern.h"

namespace tributary::detail {
namespace {

struct CollectorState {
  explicit CollectorState(CollectorSpec s) : spec(std::move(s)), context(spec.key) {}

  CollectorSpec spec;
  std::vector<TopicPattern> patterns;
  CollectorContext context;
  std::mutex exclusive_mu;  // held around each run of an `exclusive` collector
  bool set_up = false;
};

}  // namespace

struct QueueEngine::Impl {
  enum class State { kIdle, kRunning, kStopping };

  CollectorQueueOptions options;
  std::deque<CollectorState> collectors;  // fixed after construction; deque: mutexes stay put
  std::unordered_map<std::string, size_t> by_key;

  std::mutex lifecycle_mu;  // serialises Start and Stop

  mutable std::mutex mu;               // everything below
  std::condition_variable work_cv;     // consumers wait here for runs
  std::condition_variable settled_cv;  // Stop waits here for drained queues and exited threads
  RunQueue runs;
  State state = State::kIdle;
  bool exiting = false;  // consumers leave once the queue is empty
  size_t consumers = 0, busy = 0, idle = 0, peak_consumers = 0;
  std::list<std::thread> threads;
  std::vector<std::thread::id> retired;  // exited, not yet joined
  uint64_t seq = 0;
  uint64_t published = 0, rejected = 0, unrouted = 0, finished_runs = 0, failed_runs = 0,
           abandoned_runs = 0;
  double wait_ns_total = 0, service_ns_total = 0;
  RateMeter arrivals, services;

  explicit Impl(CollectorQueueOptions o) : options(o), runs(o.queue_type) {}

  // The collectors with these keys, in registration order, each once. An unknown key is
  // no match for key delivery, and a mistake (std::invalid_argument) from a custom router.
  std::vector<size_t> Indices(const std::vector<std::string>& keys, bool unknown_is_error) const {
    std::vector<size_t> out;
    for (const std::string& k : keys) {
      auto it = by_key.find(k);
      if (it != by_key.end()) {
        out.push_back(it->second);
      } else if (unknown_is_error) {
        throw std::invalid_argument("collector queue: the router chose `" + k +
                                    "`, which no collector has as its key");
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Consumers the pool aims at: work in progress with headroom, within the bounds.
  size_t Target() const {
    double wip = static_cast<double>(busy + runs.size());
    auto want = static_cast<size_t>(std::ceil(wip * options.headroom));
    return std::clamp(want, options.min_consumers, options.max_consumers);
  }

  // Starts consumers for runs that no idle consumer will take, up to the target.
  void Grow() {
    JoinRetired();
    size_t unserved = runs.size() > idle ? runs.size() - idle : 0;
    size_t target = Target();
    size_t room = target > consumers ? target - consumers : 0;
    for (size_t i = 0; i < std::min(unserved, room); ++i) Spawn();
  }

  void Spawn() {
    ++consumers;
    peak_consumers = std::max(peak_consumers, consumers);
    threads.emplace_back([this] { Consume(); });
  }

  // Joins consumers that retired; they hold no lock and are about to return.
  void JoinRetired() {
    for (std::thread::id id : retired) {
      auto it = std::find_if(threads.begin(), threads.end(),
                             [&](const std::thread& t) { return t.get_id() == id; });
      if (it == threads.end()) continue;
      it->join();
      threads.erase(it);
    }
    retired.clear();
  }

  void Consume() {
    std::unique_lock lock(mu);
    for (;;) {
      if (runs.empty()) {
        if (exiting) break;
        ++idle;
        bool woken =
            work_cv.wait_for(lock, options.idle_timeout, [&] { return !runs.empty() || exiting; });
        --idle;
        // Idle for a whole idle_timeout: retire if the pool is larger than it needs.
        if (!woken && consumers > Target()) break;
        continue;
      }
      Run run = runs.Pop();
      ++busy;
      lock.unlock();
      int64_t started = SteadyNanos();
      run.work->MarkStarted(started);
      CollectorState& c = collectors[run.collector];
      bool ok;
      if (c.spec.exclusive) {
        std::lock_guard exclusive(c.exclusive_mu);
        ok = run.work->Run(run.slot, run.collector, c.context);
      } else {
        ok = run.work->Run(run.slot, run.collector, c.context);
      }
      int64_t finished = SteadyNanos();
      lock.lock();  // counted before the payload completes: a waiter sees its run in metrics()
      --busy;
      ++finished_runs;
      failed_runs += ok ? 0 : 1;
      wait_ns_total += static_cast<double>(started - run.work->published_ns());
      service_ns_total += static_cast<double>(finished - started);
      services.Mark(finished);
      if (busy == 0 && runs.empty()) settled_cv.notify_all();
      lock.unlock();
      run.work->SlotDone(finished);
      run.work.reset();  // may free the payload: not under the lock
      lock.lock();
    }
    --consumers;
    retired.push_back(std::this_thread::get_id());
    settled_cv.notify_all();
  }

  CollectorQueueMetrics Snapshot() {
    std::lock_guard lock(mu);
    int64_t now = SteadyNanos();
    CollectorQueueMetrics m;
    m.queued = runs.size();
    m.consumers = consumers;
    m.busy = busy;
    m.peak_consumers = peak_consumers;
    m.load = consumers ? static_cast<double>(busy) / static_cast<double>(consumers) : 0;
    m.arrival_rate = arrivals.Rate(now);
    m.service_rate = services.Rate(now);
    m.published = published;
    m.rejected = rejected;
    m.unrouted = unrouted;
    m.runs = finished_runs;
    m.failed_runs = failed_runs;
    m.abandoned_runs = abandoned_runs;
    if (finished_runs) {
      m.mean_wait_seconds = wait_ns_total / 1e9 / static_cast<double>(finished_runs);
      m.mean_service_seconds = service_ns_total / 1e9 / static_cast<double>(finished_runs);
    }
    return m;
  }

  // Runs the teardowns of the collectors set up, last set up first.
  void TearDown(std::vector<std::string>* errors) {
    for (auto it = collectors.rbegin(); it != collectors.rend(); ++it) {
      if (!it->set_up) continue;
      it->set_up = false;
      try {
        if (it->spec.lifecycle->teardown) it->spec.lifecycle->teardown(it->context);
      } catch (const std::exception& e) {
        if (errors) errors->push_back("collector `" + it->spec.key + "`: " + e.what());
      } catch (...) {
        if (errors) errors->push_back("collector `" + it->spec.key + "`: unknown exception");
      }
      it->context.Reset();
    }
  }
};

QueueEngine::QueueEngine(std::vector<CollectorSpec> specs, CollectorQueueOptions options) {
  if (options.max_consumers == 0) {
    options.max_consumers =
        std::max<size_t>({options.min_consumers, 1, tributary::UsableCpuCount()});
  }
  if (options.max_consumers < options.min_consumers) {
    throw std::invalid_argument(
        "collector queue: max_consumers (" + std::to_string(options.max_consumers) +
        ") is below min_consumers (" + std::to_string(options.min_consumers) + ")");
  }
  if (!(options.headroom >= 1.0))
    throw std::invalid_argument("collector queue: headroom must be at least 1.0");
  impl_ = std::make_shared<Impl>(options);
  for (CollectorSpec& spec : specs) {
    if (spec.key.empty()) throw std::invalid_argument("collector queue: a collector has no key");
    if (!impl_->by_key.emplace(spec.key, impl_->collectors.size()).second)
      throw std::invalid_argument("collector queue: two collectors have the key `" + spec.key +
                                  "`; keys must be unique");
    CollectorState& c = impl_->collectors.emplace_back(std::move(spec));
    for (const std::string& topic : c.spec.topics) {
      auto pattern = TopicPattern::Parse(topic);
      if (!pattern.ok())
        throw std::invalid_argument("collector `" + c.spec.key + "`: topic pattern `" + topic +
                                    "`: " + pattern.status().message());
      c.patterns.push_back(std::move(*pattern));
    }
  }
}

QueueEngine::~QueueEngine() {
  Stop(std::chrono::seconds(30));
  std::lock_guard lock(impl_->mu);
  impl_->JoinRetired();
}

void QueueEngine::Start() {
  Impl& q = *impl_;
  std::lock_guard lifecycle(q.lifecycle_mu);
  if (running()) return;
  for (CollectorState& c : q.collectors) {
    if (!c.spec.lifecycle) continue;
    try {
      if (c.spec.lifecycle->setup) c.spec.lifecycle->setup(c.context);
    } catch (const std::exception& e) {
      q.TearDown(nullptr);
      throw std::runtime_error("collector `" + c.spec.key + "`: setup failed: " + e.what());
    }
    c.set_up = true;
  }
  std::lock_guard lock(q.mu);
  q.JoinRetired();
  q.state = Impl::State::kRunning;
  q.exiting = false;
  while (q.consumers < q.options.min_consumers) q.Spawn();
}

StopReport QueueEngine::Stop(std::chrono::milliseconds timeout) {
  Impl& q = *impl_;
  std::lock_guard lifecycle(q.lifecycle_mu);
  StopReport report;
  std::unique_lock lock(q.mu);
  if (q.state != Impl::State::kRunning) return report;
  q.state = Impl::State::kStopping;  // Submit refuses from here on
  q.settled_cv.wait_for(lock, timeout, [&] { return q.runs.empty() && q.busy == 0; });
  std::vector<Run> abandoned;
  while (!q.runs.empty()) abandoned.push_back(q.runs.Pop());
  q.abandoned_runs += abandoned.size();
  report.abandoned_runs = abandoned.size();
  report.overran_runs = q.busy;
  q.exiting = true;
  q.work_cv.notify_all();
  q.settled_cv.wait(lock, [&] { return q.consumers == 0; });
  std::list<std::thread> threads = std::move(q.threads);
  q.threads.clear();
  q.retired.clear();
  lock.unlock();

  for (std::thread& t : threads) t.join();
  std::unordered_set<const Work*> payloads;
  for (Run& run : abandoned) {
    run.work->Fail(run.slot,
                   "not run: the collector queue stopped before this payload's turn came "
                   "(give Stop a longer timeout to let the queue drain)");
    payloads.insert(run.work.get());
  }
  report.abandoned_payloads = payloads.size();
  q.TearDown(&report.teardown_errors);
  lock.lock();
  q.state = Impl::State::kIdle;
  return report;
}

bool QueueEngine::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state == Impl::State::kRunning;
}

std::vector<size_t> QueueEngine::Route(Delivery delivery, const std::vector<std::string>& keys,
                                       const std::vector<std::string>& topics) const {
  const auto& cs = impl_->collectors;
  std::vector<size_t> out;
  switch (delivery) {
    case Delivery::kBroadcast:
      for (size_t i = 0; i < cs.size(); ++i) out.push_back(i);
      break;
    case Delivery::kKey:
      out = impl_->Indices(keys, /*unknown_is_error=*/false);
      break;
    case Delivery::kTopic:
      for (size_t i = 0; i < cs.size(); ++i) {
        bool hit = std::any_of(cs[i].patterns.begin(), cs[i].patterns.end(), [&](const auto& p) {
          return std::any_of(topics.begin(), topics.end(),
                             [&](const std::string& t) { return p.Matches(t); });
        });
        if (hit) out.push_back(i);
      }
      break;
  }
  return out;
}

std::vector<size_t> QueueEngine::Resolve(const std::vector<std::string>& keys) const {
  return impl_->Indices(keys, /*unknown_is_error=*/true);
}

const std::string& QueueEngine::key(size_t collector) const {
  return impl_->collectors[collector].spec.key;
}

int QueueEngine::default_priority() const { return impl_->options.default_priority; }

void QueueEngine::Submit(const std::shared_ptr<Work>& work, std::span<const size_t> targets,
                         int priority) {
  Impl& q = *impl_;
  int64_t now = SteadyNanos();
  work->Arm(targets.size(), now);
  std::unique_lock lock(q.mu);
  if (q.state != Impl::State::kRunning) {
    ++q.rejected;
    lock.unlock();
    for (size_t slot = 0; slot < targets.size(); ++slot)
      work->Fail(slot, "not run: the collector queue is not running (Start it before sending)");
    return;
  }
  ++q.published;
  q.arrivals.Mark(now);
  if (targets.empty()) {
    ++q.unrouted;
    return;
  }
  for (size_t slot = 0; slot < targets.size(); ++slot) {
    q.runs.Push(Run{work, static_cast<uint32_t>(slot), static_cast<uint32_t>(targets[slot]),
                    priority, q.seq++});
  }
  q.Grow();
  // Busy consumers look for more work before they wait: wake only as many idle ones as
  // there are new runs, and none when every consumer is busy.
  size_t wake = std::min(q.idle, targets.size());
  lock.unlock();
  if (wake == 1) {
    q.work_cv.notify_one();
  } else if (wake > 1) {
    q.work_cv.notify_all();
  }
}

CollectorQueueMetrics QueueEngine::Metrics() const { return impl_->Snapshot(); }

std::function<CollectorQueueMetrics()> QueueEngine::MetricsReader() const {
  return [weak = std::weak_ptr<Impl>(impl_)] {
    auto q = weak.lock();
    return q ? q->Snapshot() : CollectorQueueMetrics{};
  };
}

}  // namespace tributary::detail
