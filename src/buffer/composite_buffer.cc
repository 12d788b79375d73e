#include "buffer/composite_buffer.h"

namespace tributary {

CompositeBuffer::CompositeBuffer(std::unique_ptr<Buffer> memory, std::unique_ptr<Buffer> disk,
                                 std::vector<bool> is_disk)
    : memory_(std::move(memory)), disk_(std::move(disk)), is_disk_(std::move(is_disk)) {
  size_t m = 0, d = 0;
  for (bool disk_sink : is_disk_) local_.push_back(disk_sink ? d++ : m++);
}

void CompositeBuffer::Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
                             AppendCallback done) {
  auto memory_masks = std::make_shared<std::vector<SinkMask>>(masks.size(), 0);
  std::vector<SinkMask> disk_masks(masks.size(), 0);
  bool any_memory = false;
  for (size_t i = 0; i < masks.size(); ++i) {
    for (SinkMask m = masks[i]; m != 0; m &= m - 1) {
      size_t s = static_cast<size_t>(__builtin_ctzll(m));
      SinkMask bit = SinkMask{1} << local_[s];
      if (is_disk_[s]) {
        disk_masks[i] |= bit;
      } else {
        (*memory_masks)[i] |= bit;
        any_memory = true;
      }
    }
  }
  disk_->Append(batch, disk_masks,
                [this, batch, memory_masks, any_memory, done = std::move(done)](AppendOutcome o) {
                  if (!o.status.ok() || !any_memory) return done(std::move(o));
                  memory_->Append(batch, *memory_masks, done);
                });
}

AppendOutcome CompositeBuffer::RefusesAll(uint64_t bytes) {
  AppendOutcome disk = disk_->RefusesAll(bytes);
  if (disk.status.ok() || memory_->RefusesAll(bytes).status.ok()) return {};
  return disk;
}

QueueReader& CompositeBuffer::Reader(size_t sink) {
  return is_disk_[sink] ? disk_->Reader(local_[sink]) : memory_->Reader(local_[sink]);
}

void CompositeBuffer::Close() {
  memory_->Close();
  disk_->Close();
}

}  // namespace tributary
