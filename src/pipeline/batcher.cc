#include "pipeline/batcher.h"

#include <algorithm>
#include <utility>

namespace tributary {

namespace {
// A single-event encoding (one CloudEvent per message) makes every event a batch, unless
// the batch is of records.
BatchLimits ForEncoder(BatchLimits limits, const Encoder& encoder, bool records) {
  if (encoder.single_event() && !records) limits.max_events = 1;
  return limits;
}
}  // namespace

Batcher::Batcher(BatchLimits limits, const Encoder& encoder, const Clock& clock, bool records)
    : limits_(ForEncoder(limits, encoder, records)),
      encoder_(encoder),
      clock_(clock),
      records_(records) {}

bool Batcher::Add(const EventBatch& batch, const Event& event) {
  if (count_ == 0) {
    body_.clear();
    // Batches tend to be alike: room for one like the last spares the copies of growing.
    body_.reserve(std::min(last_bytes_, limits_.max_bytes));
    encoder_.Begin(body_);
    first_ = clock_.Now();
  }
  size_t mark = body_.size();
  encoder_.Append(batch, event, count_ == 0, body_);
  if (count_ > 0 && body_.size() + encoder_.trailer_size() > limits_.max_bytes) {
    body_.resize(mark);
    return false;
  }
  if (records_) ends_.push_back(static_cast<uint32_t>(body_.size()));
  ++count_;
  return true;
}

SteadyTime Batcher::Deadline() const {
  if (count_ == 0) return SteadyTime::max();
  return first_ + limits_.max_age;
}

std::string Batcher::Take(std::vector<uint32_t>* record_ends, std::string next) {
  encoder_.Finish(body_);
  count_ = 0;
  if (record_ends) record_ends->swap(ends_);
  ends_.clear();
  std::string out = std::exchange(body_, std::move(next));
  last_bytes_ = out.size();
  return out;
}

}  // namespace tributary
