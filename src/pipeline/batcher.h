#pragma once
// The batcher encodes events into a batch body until a limit is reached: max_events,
// max_bytes (encoded, before compression) or max_age since the first event entered the
// batch; a single-event encoding makes each event a batch, unless the batch is of records
// (each event encoded alone, its end noted: a Kafka batch). It never produces an empty
// batch and never exceeds max_bytes unless a single event is larger, in which case that
// event goes alone.

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "format/encoder.h"

namespace tributary {

struct BatchLimits {
  uint64_t max_events = 1000;
  uint64_t max_bytes = 5ull << 20;
  std::chrono::milliseconds max_age{5000};
};

class Batcher {
 public:
  Batcher(BatchLimits limits, const Encoder& encoder, const Clock& clock, bool records = false);

  // Adds the event, or returns false (adding nothing) if the batch is not empty and the
  // event would take it over max_bytes: take the batch, then add the event again.
  bool Add(const EventBatch& batch, const Event& event);

  bool empty() const { return count_ == 0; }
  size_t count() const { return count_; }
  size_t bytes() const { return body_.size() + (count_ ? encoder_.trailer_size() : 0); }
  bool Full() const { return count_ >= limits_.max_events || bytes() >= limits_.max_bytes; }
  // When the batch must go out; time_point::max() while empty.
  SteadyTime Deadline() const;
  bool Due(SteadyTime now) const { return !empty() && (Full() || now >= Deadline()); }
  const BatchLimits& limits() const { return limits_; }

  // Completes the body and hands it over; the batcher is empty afterwards. For records,
  // `record_ends` gets where each event's bytes end. The next batch is built in `next`
  // (an earlier body given back, for its capacity), if given.
  std::string Take(std::vector<uint32_t>* record_ends = nullptr, std::string next = {});

 private:
  const BatchLimits limits_;
  const Encoder& encoder_;
  const Clock& clock_;
  const bool records_;
  std::string body_;
  std::vector<uint32_t> ends_;  // records only
  size_t count_ = 0;
  size_t last_bytes_ = 0;  // of the batch taken last
  SteadyTime first_{};
};

}  // namespace tributary
