#pragma once
// How a collector queue orders payloads and sizes its consumer pool, what it reports
// about itself, and what Stop says it could not finish.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tributary {

enum class QueueType {
  kFifo,      // first published, first served
  kLifo,      // last published, first served
  kPriority,  // lower priority number first; equal priorities first published, first served
};

struct CollectorQueueOptions {
  size_t min_consumers = 1;
  size_t max_consumers = 0;  // 0 = the CPUs the process can use (at least min_consumers)
  QueueType queue_type = QueueType::kFifo;
  int default_priority = 1000;
  // The pool aims at ceil(work in progress x headroom) consumers, work in progress being
  // the collector runs queued and running; more than that are retired once idle for
  // idle_timeout. Growth is immediate: a payload that finds no idle consumer starts one.
  double headroom = 1.25;
  std::chrono::milliseconds idle_timeout{1000};
};

// A consistent snapshot of the queue, read with CollectorQueue::metrics().
struct CollectorQueueMetrics {
  size_t queued = 0;     // collector runs waiting for a consumer
  size_t consumers = 0;  // consumer threads alive
  size_t busy = 0;       // consumers running a collector now
  size_t peak_consumers = 0;
  double load = 0;                  // busy / consumers
  double arrival_rate = 0;          // payloads published per second (1 s moving average)
  double service_rate = 0;          // collector runs finished per second (1 s moving average)
  uint64_t published = 0;           // payloads accepted
  uint64_t rejected = 0;            // payloads sent while the queue was not running (error results)
  uint64_t unrouted = 0;            // payloads that matched no collector (empty result list)
  uint64_t runs = 0;                // collector runs finished
  uint64_t failed_runs = 0;         // of which ended in an error result
  uint64_t abandoned_runs = 0;      // never started: queued when Stop's timeout ran out
  double mean_wait_seconds = 0;     // queued -> started, per run
  double mean_service_seconds = 0;  // started -> finished, per run
};

struct StopReport {
  uint64_t abandoned_payloads = 0;  // payloads with a run that never started (error results)
  uint64_t abandoned_runs = 0;
  uint64_t overran_runs = 0;  // still running at the deadline: waited for, never interrupted
  std::vector<std::string> teardown_errors;  // "collector `k`: what it threw"
};

}  // namespace tributary
