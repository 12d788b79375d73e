#pragma once
// The memory buffer: one bounded queue of event references per sink. A batch that goes
// to several sinks is shared by reference, never copied. Acknowledged on append; lost on
// a crash (use the disk buffer for durability).

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "admin/metrics.h"
#include "buffer/drain_meter.h"
#include "buffer/queue.h"

namespace tributary {

class MemoryQueue final : public QueueReader {
 public:
  MemoryQueue(std::string sink_name, QueueLimits limits);

  // Capacity check and insertion are split so Buffer::Append can be all-or-nothing.
  bool HasRoom(uint64_t events, uint64_t bytes) const;
  // The refusal of an append of `bytes` that did not fit. Both with mutex() held.
  AppendOutcome Full(uint64_t bytes);
  void Push(const EventBatchPtr& batch, std::vector<uint32_t> indices, uint64_t bytes);
  void Close();

  size_t Read(std::vector<QueuedEvent>& out, size_t max, SteadyTime deadline,
              ReadWait wait) override;
  void Ack(size_t n) override;
  bool Drained() const override;
  QueueStats Stats() const override;

  const std::string& sink_name() const { return sink_name_; }
  const QueueLimits& limits() const { return limits_; }
  std::mutex& mutex() const { return mu_; }
  DrainMeter& drain() { return drain_; }
  const DrainMeter& drain() const { return drain_; }

 private:
  bool Enough(ReadWait wait) const;  // with mu_ held: `wait` is met
  struct Chunk {
    EventBatchPtr batch;
    std::vector<uint32_t> indices;
    size_t acked = 0;        // events of this chunk already acknowledged
    uint64_t first_seq = 0;  // sequence number of its first event
  };

  const std::string sink_name_;
  const QueueLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable readable_;
  std::deque<Chunk> chunks_;
  size_t read_chunk_ = 0;   // chunk the next Read starts in
  size_t read_offset_ = 0;  // index within it
  uint64_t events_ = 0, bytes_ = 0, unread_ = 0, unread_bytes_ = 0;
  ReadWait waiting_for_{0, 0};  // of the reader waiting, if any; Push wakes it when met
  uint64_t next_seq_ = 0;
  const uint64_t run_id_;  // distinguishes sequence numbers of different runs
  bool closed_ = false;
  DrainMeter drain_;
};

class MemoryBuffer final : public Buffer {
 public:
  MemoryBuffer(const std::vector<std::string>& sink_names, const std::vector<QueueLimits>& limits,
               Metrics* metrics = nullptr);

  void Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
              AppendCallback done) override;
  QueueReader& Reader(size_t sink) override { return *queues_[sink]; }
  void Close() override;
  AppendOutcome RefusesAll(uint64_t bytes) override;
  uint64_t FreedCount() const override;

 private:
  std::vector<std::unique_ptr<MemoryQueue>> queues_;
  std::vector<Counter*> dropped_full_;  // per sink, for drop_newest
  std::mutex append_mu_;  // makes multi-queue appends atomic with respect to each other
  bool closed_ = false;
};

}  // namespace tributary
