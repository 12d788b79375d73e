#include "pipeline/batcher.h"

#include <algorithm>
#include <utility>

namespace tributary {

namespace {
// A single-event encoding (one CloudEvent per message) makes every event a batch, unless
// the batch is of records.
BatchLimits ForEncoder(BatchLimits limits, const Encoder& encoder, BatchForm form) {
  if (encoder.single_event() && form != BatchForm::kRecords) limits.max_events = 1;
  return limits;
}
}  // namespace

Batcher::Batcher(BatchLimits limits, const Encoder& encoder, const Clock& clock, BatchForm form)
    : limits_(ForEncoder(limits, encoder, form)), encoder_(encoder), clock_(clock), form_(form) {}

bool Batcher::Add(const EventBatch& batch, const Event& event) {
  if (count_ == 0) {
    body_.clear();
    lending_ = form_ == BatchForm::kPieces;
    // Batches tend to be alike: room for one like the last spares the copies of growing.
    if (!lending_) body_.reserve(std::min(last_bytes_, limits_.max_bytes));
    encoder_.Begin(body_);
    first_ = clock_.Now();
  }
  if (lending_) {
    std::string_view lent = encoder_.Lend(batch, event);
    if (!lent.empty()) {
      if (count_ > 0 && bytes() + lent.size() > limits_.max_bytes) return false;
      // Events of one queue record lie end to end: one piece for all of them.
      if (!pieces_.empty() && pieces_.back().data() + pieces_.back().size() == lent.data()) {
        pieces_.back() = {pieces_.back().data(), pieces_.back().size() + lent.size()};
      } else {
        pieces_.push_back(lent);
      }
      lent_bytes_ += lent.size();
      ++count_;
      return true;
    }
    // Not at hand (an event that did not come through the disk queue): copy after all.
    body_.reserve(std::min(last_bytes_, limits_.max_bytes));
    for (std::string_view piece : pieces_) body_.append(piece);
    pieces_.clear();
    lent_bytes_ = 0;
    lending_ = false;
  }
  size_t mark = body_.size();
  encoder_.Append(batch, event, count_ == 0, body_);
  if (count_ > 0 && body_.size() + encoder_.trailer_size() > limits_.max_bytes) {
    body_.resize(mark);
    return false;
  }
  if (form_ == BatchForm::kRecords) ends_.push_back(static_cast<uint32_t>(body_.size()));
  ++count_;
  return true;
}

SteadyTime Batcher::Deadline() const {
  if (count_ == 0) return SteadyTime::max();
  return first_ + limits_.max_age;
}

void Batcher::Take(EncodedBatch& out, std::string next) {
  encoder_.Finish(body_);
  out.encoded_bytes = body_.size() + lent_bytes_;
  out.body = std::exchange(body_, std::move(next));
  out.pieces.clear();
  out.pieces.swap(pieces_);
  out.record_ends.clear();
  out.record_ends.swap(ends_);
  last_bytes_ = out.encoded_bytes;
  lent_bytes_ = 0;
  lending_ = false;
  count_ = 0;
}

}  // namespace tributary
