#include "pipeline/batcher.h"

#include <algorithm>

namespace tributary {

namespace {
// A single-event encoding (one CloudEvent per message) makes every event a batch.
BatchLimits ForEncoder(BatchLimits limits, const Encoder& encoder) {
  if (encoder.single_event()) limits.max_events = 1;
  return limits;
}
}  // namespace

Batcher::Batcher(BatchLimits limits, const Encoder& encoder, const Clock& clock)
    : limits_(ForEncoder(limits, encoder)), encoder_(encoder), clock_(clock) {}

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
  ++count_;
  return true;
}

SteadyTime Batcher::Deadline() const {
  if (count_ == 0) return SteadyTime::max();
  return first_ + limits_.max_age;
}

std::string Batcher::Take() {
  encoder_.Finish(body_);
  count_ = 0;
  std::string out;
  out.swap(body_);
  last_bytes_ = out.size();
  return out;
}

}  // namespace tributary
