#pragma once
// Puts a memory buffer and a disk buffer behind one Buffer when a config mixes queue
// types. The disk part is appended first (it is the one that can fail on I/O), then the
// memory part; if the memory part is then full the request is refused, and the disk
// sinks may receive those events again when the producer retries (at-least-once).

#include <memory>
#include <vector>

#include "buffer/queue.h"

namespace tributary {

class CompositeBuffer final : public Buffer {
 public:
  // `is_disk[i]` says which part sink i is in; parts index their sinks in config order.
  CompositeBuffer(std::unique_ptr<Buffer> memory, std::unique_ptr<Buffer> disk,
                  std::vector<bool> is_disk);

  void Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
              AppendCallback done) override;
  AppendOutcome RefusesAll(uint64_t bytes) override;
  uint64_t FreedCount() const override { return disk_->FreedCount() + memory_->FreedCount(); }
  QueueReader& Reader(size_t sink) override;
  void Close() override;

 private:
  std::unique_ptr<Buffer> memory_, disk_;
  std::vector<bool> is_disk_;
  std::vector<size_t> local_;  // index of sink i within its part
};

}  // namespace tributary
