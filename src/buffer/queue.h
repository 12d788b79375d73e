#pragma once
// The buffer between ingest and delivery.
//
// Ingest appends each routed batch once to the Buffer, with a destination mask per event;
// each sink then reads its own events in order through its QueueReader and acknowledges
// them once delivered. This split lets a disk buffer write an event's bytes once however
// many sinks it goes to (one log, one read position per sink), while the memory buffer
// keeps one queue of references per sink. Both honour the same contract:
//
//  - Append is all-or-nothing: either every event is in every destination queue, or none
//    is and the callback says why (full, closed, I/O error).
//  - The callback runs once the events are as durable as the buffer promises; only then
//    may the producer be acknowledged.
//  - Events handed out by Read stay valid until they are acknowledged; Ack(n) releases
//    the n oldest events read.

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/status.h"
#include "routing/router.h"

namespace tributary {

// What a queue does when an append does not fit.
enum class FullPolicy { kReject, kBlock, kDropNewest };

struct QueueLimits {
  uint64_t max_events = 100'000;
  uint64_t max_bytes = 256ull << 20;
  FullPolicy when_full = FullPolicy::kReject;
  std::chrono::milliseconds block_timeout{5000};
};

struct AppendOutcome {
  Status status;           // Ok, or Unavailable (full/closed), IoError ...
  bool full = false;       // the failure is a full queue
  bool may_block = false;  // ... whose policy is `block`: the caller may wait and retry
  std::chrono::milliseconds block_timeout{0};
  int retry_after_seconds = 1;  // for 503 answers
  std::string full_sink;        // which sink's queue is full
};

using AppendCallback = std::function<void(AppendOutcome)>;

struct QueuedEvent {
  const EventBatch* batch;
  const Event* event;
  // Where the event is in its queue, the same on every read (and, for the disk queue,
  // after a restart): batch ids are made from these so that retries can be de-duplicated.
  uint64_t position_hi = 0;
  uint64_t position_lo = 0;
};

struct QueueStats {
  uint64_t events = 0;  // queued and not yet acknowledged (including in flight)
  uint64_t bytes = 0;
  int64_t oldest_ns = 0;  // receive time of the oldest unacknowledged event; 0 if empty
};

// What a reader waits for before its deadline: this many unread events (at least one), or
// unread events of this many bytes (0: no byte bound). A batching reader waits for what
// fills its batch, and is then woken once per batch rather than once per append.
struct ReadWait {
  size_t events = 1;
  uint64_t bytes = 0;
};

class QueueReader {
 public:
  virtual ~QueueReader() = default;
  // Appends up to `max` unread events to `out`. Waits until `wait` is met (a queue may
  // return sooner, with at least one), the deadline passes, or the buffer is closed; then
  // takes what there is. Returns how many were added.
  virtual size_t Read(std::vector<QueuedEvent>& out, size_t max, SteadyTime deadline,
                      ReadWait wait = {}) = 0;
  // The `n` oldest events handed out by Read were delivered.
  virtual void Ack(size_t n) = 0;
  // True once the buffer is closed and every event was read.
  virtual bool Drained() const = 0;
  virtual QueueStats Stats() const = 0;
  // The reader's sink needs only each event's JSON (Event::json), not its attributes: a
  // disk queue then skips parsing what it reads back. Call before the first Read.
  virtual void SetJsonOnly(bool /*json_only*/) {}
};

class Buffer {
 public:
  virtual ~Buffer() = default;
  // Appends the events of `batch` whose mask is non-zero to the queues of their sinks.
  // `masks[i]` is the destination set of event i; it is read only during the call.
  // `done` may run before Append returns.
  virtual void Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
                      AppendCallback done) = 0;
  virtual QueueReader& Reader(size_t sink) = 0;
  // Refuses further appends and wakes readers so they can drain and stop.
  virtual void Close() = 0;
  // Whether every queue would refuse `bytes` more at once, however they were routed: each
  // holds events, has less room than that, and answers `reject`. Then the outcome says so
  // (for the first sink) and a source may refuse the request before it pays to parse it;
  // otherwise it is ok.
  virtual AppendOutcome RefusesAll(uint64_t bytes) = 0;
  // How often a queue has released room so far (acknowledgements). An append refused for
  // a full queue cannot succeed before this changes, so a producer waiting under `block`
  // need not try again until then.
  virtual uint64_t FreedCount() const = 0;
};

}  // namespace tributary
