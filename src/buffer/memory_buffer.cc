#include "buffer/memory_buffer.h"

#include "buffer/queue_full.h"

namespace tributary {

MemoryQueue::MemoryQueue(std::string sink_name, QueueLimits limits)
    : sink_name_(std::move(sink_name)),
      limits_(limits),
      run_id_(static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count())) {}

bool MemoryQueue::HasRoom(uint64_t events, uint64_t bytes) const {
  return QueueHasRoom(limits_, events_, bytes_, events, bytes);
}

AppendOutcome MemoryQueue::Full(uint64_t bytes) {
  return QueueFull(sink_name_, limits_, events_, bytes_, drain_.RetryAfterSeconds(bytes));
}

void MemoryQueue::Push(const EventBatchPtr& batch, std::vector<uint32_t> indices, uint64_t bytes) {
  events_ += indices.size();
  unread_ += indices.size();
  unread_bytes_ += bytes;
  bytes_ += bytes;
  uint64_t first = next_seq_;
  next_seq_ += indices.size();
  chunks_.push_back({batch, std::move(indices), 0, first});
  if (Enough(waiting_for_)) readable_.notify_one();
}

bool MemoryQueue::Enough(ReadWait wait) const {
  return wait.events != 0 &&
         (unread_ >= wait.events || (wait.bytes && unread_bytes_ >= wait.bytes));
}

void MemoryQueue::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  readable_.notify_all();
}

size_t MemoryQueue::Read(std::vector<QueuedEvent>& out, size_t max, SteadyTime deadline,
                         ReadWait wait) {
  std::unique_lock lock(mu_);
  wait.events = std::clamp<size_t>(wait.events, 1, std::max<size_t>(max, 1));
  waiting_for_ = wait;
  readable_.wait_until(lock, deadline, [&] { return Enough(wait) || closed_; });
  waiting_for_ = {0, 0};
  size_t n = 0;
  while (n < max && unread_ > 0) {
    Chunk& c = chunks_[read_chunk_];
    if (read_offset_ == c.indices.size()) {
      ++read_chunk_;
      read_offset_ = 0;
      continue;
    }
    uint64_t seq = c.first_seq + read_offset_;
    const Event& e = c.batch->events()[c.indices[read_offset_++]];
    out.push_back({c.batch.get(), &e, run_id_, seq});
    --unread_;
    unread_bytes_ -= e.size;
    ++n;
  }
  return n;
}

void MemoryQueue::Ack(size_t n) {
  std::lock_guard lock(mu_);
  uint64_t before = bytes_;
  while (n > 0 && !chunks_.empty()) {
    Chunk& c = chunks_.front();
    size_t take = std::min(n, c.indices.size() - c.acked);
    for (size_t i = c.acked; i < c.acked + take; ++i)
      bytes_ -= c.batch->events()[c.indices[i]].size;
    c.acked += take;
    events_ -= take;
    n -= take;
    if (c.acked == c.indices.size()) {
      chunks_.pop_front();
      // The read position moves with the chunks it indexes.
      if (read_chunk_ > 0) {
        --read_chunk_;
      } else {
        read_offset_ = 0;
      }
    }
  }
  drain_.Drained(before - bytes_);
}

bool MemoryQueue::Drained() const {
  std::lock_guard lock(mu_);
  return closed_ && unread_ == 0;
}

QueueStats MemoryQueue::Stats() const {
  std::lock_guard lock(mu_);
  QueueStats s{events_, bytes_, 0};
  if (!chunks_.empty()) s.oldest_ns = chunks_.front().batch->received_ns;
  return s;
}

MemoryBuffer::MemoryBuffer(const std::vector<std::string>& sink_names,
                           const std::vector<QueueLimits>& limits, Metrics* metrics) {
  for (size_t i = 0; i < sink_names.size(); ++i) {
    queues_.push_back(std::make_unique<MemoryQueue>(sink_names[i], limits[i]));
    static Counter unused;
    dropped_full_.push_back(
        metrics ? &metrics->GetCounter("tributary_dropped_events_total",
                                       "Events not delivered, by reason",
                                       "reason=\"queue_full\",sink=" + LabelValue(sink_names[i]))
                : &unused);
  }
}

uint64_t MemoryBuffer::FreedCount() const {
  uint64_t n = 0;
  for (const auto& q : queues_) n += q->drain().drains();
  return n;
}

AppendOutcome MemoryBuffer::RefusesAll(uint64_t bytes) {
  AppendOutcome first;
  for (auto& q : queues_) {
    std::lock_guard lock(q->mutex());
    if (q->HasRoom(1, bytes) || q->limits().when_full != FullPolicy::kReject) return {};
    if (first.status.ok()) first = q->Full(bytes);
  }
  return first;
}

void MemoryBuffer::Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
                          AppendCallback done) {
  const size_t n = queues_.size();
  std::vector<std::vector<uint32_t>> indices(n);
  std::vector<uint64_t> bytes(n, 0);
  for (uint32_t i = 0; i < masks.size(); ++i) {
    for (SinkMask m = masks[i]; m != 0; m &= m - 1) {
      size_t s = static_cast<size_t>(__builtin_ctzll(m));
      indices[s].push_back(i);
      bytes[s] += batch->events()[i].size;
    }
  }
  AppendOutcome outcome;
  {
    std::lock_guard append_lock(append_mu_);
    if (closed_) {
      outcome.status = Unavailable("the collector is shutting down");
    } else {
      // Lock every target queue, check all, then push to all: all or nothing.
      std::vector<std::unique_lock<std::mutex>> locks;
      for (size_t s = 0; s < n; ++s) {
        if (indices[s].empty()) continue;
        locks.emplace_back(queues_[s]->mutex());
        if (!queues_[s]->HasRoom(indices[s].size(), bytes[s])) {
          const QueueLimits& l = queues_[s]->limits();
          if (l.when_full == FullPolicy::kDropNewest) {
            dropped_full_[s]->Inc(indices[s].size());
            WarnDroppingNewest(queues_[s]->sink_name());
            indices[s].clear();
            continue;
          }
          outcome = queues_[s]->Full(bytes[s]);
          break;
        }
      }
      if (outcome.status.ok()) {
        for (size_t s = 0; s < n; ++s) {
          if (!indices[s].empty()) queues_[s]->Push(batch, std::move(indices[s]), bytes[s]);
        }
      }
    }
  }
  done(std::move(outcome));
}

void MemoryBuffer::Close() {
  {
    std::lock_guard lock(append_mu_);
    closed_ = true;
  }
  for (auto& q : queues_) q->Close();
}

}  // namespace tributary
