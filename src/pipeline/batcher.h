#pragma once
// The batcher encodes events into a batch body until a limit is reached: max_events,
// max_bytes (encoded, before compression) or max_age since the first event entered the
// batch; a single-event encoding makes each event a batch, unless the batch is of records
// (each event encoded alone, its end noted: a Kafka batch). It never produces an empty
// batch and never exceeds max_bytes unless a single event is larger, in which case that
// event goes alone.
//
// For a sink that writes pieces, a batch of events the encoder lends (NDJSON read back from
// the disk queue) is a list of views into the queue's records, one per run of adjacent
// events, instead of a copy of them.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "format/encoder.h"
#include "sinks/sink.h"

namespace tributary {

struct BatchLimits {
  uint64_t max_events = 1000;
  uint64_t max_bytes = 5ull << 20;
  std::chrono::milliseconds max_age{5000};
};

enum class BatchForm {
  kBody,     // one body
  kRecords,  // one body, each event's end noted (EncodedBatch::record_ends)
  kPieces,   // views of what the encoder lends (EncodedBatch::pieces), else one body
};

class Batcher {
 public:
  Batcher(BatchLimits limits, const Encoder& encoder, const Clock& clock,
          BatchForm form = BatchForm::kBody);

  // Adds the event, or returns false (adding nothing) if the batch is not empty and the
  // event would take it over max_bytes: take the batch, then add the event again.
  bool Add(const EventBatch& batch, const Event& event);

  bool empty() const { return count_ == 0; }
  size_t count() const { return count_; }
  size_t bytes() const {
    return body_.size() + lent_bytes_ + (count_ ? encoder_.trailer_size() : 0);
  }
  bool Full() const { return count_ >= limits_.max_events || bytes() >= limits_.max_bytes; }
  // When the batch must go out; time_point::max() while empty.
  SteadyTime Deadline() const;
  bool Due(SteadyTime now) const { return !empty() && (Full() || now >= Deadline()); }
  const BatchLimits& limits() const { return limits_; }

  // Completes the batch and hands it over in `out`: its body, or its pieces, with
  // encoded_bytes and (for records) record_ends. The batcher is empty afterwards. The next
  // batch is built in `next` (an earlier body given back, for its capacity), if given.
  void Take(EncodedBatch& out, std::string next = {});

 private:
  const BatchLimits limits_;
  const Encoder& encoder_;
  const Clock& clock_;
  const BatchForm form_;
  std::string body_;
  std::vector<uint32_t> ends_;  // records only
  bool lending_ = false;        // this batch is pieces so far
  std::vector<std::string_view> pieces_;
  size_t lent_bytes_ = 0;
  size_t count_ = 0;
  size_t last_bytes_ = 0;  // of the batch taken last
  SteadyTime first_{};
};

}  // namespace tributary
