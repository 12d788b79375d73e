#include "buffer/disk/log_reader.h"

#include "buffer/disk/crc32c.h"

namespace tributary::log {

Reader::Reader(std::string_view data, uint64_t start, Reporter* reporter)
    : data_(data), base_(start), last_end_(start), reporter_(reporter) {}

void Reader::Report(uint64_t offset, uint64_t bytes, const char* reason) {
  if (reporter_ && bytes > 0) reporter_->Corrupt({offset, bytes, reason});
}

unsigned Reader::ReadPhysical(std::string_view* fragment, uint64_t* fragment_offset) {
  while (true) {
    uint64_t file_pos = base_ + pos_;
    size_t block_left = kBlockSize - file_pos % kBlockSize;
    size_t data_left = data_.size() - pos_;
    if (data_left == 0) return kEof;
    if (block_left < kHeaderSize) {
      // The writer pads block tails shorter than a header; skip them.
      if (data_left < block_left) return kEof;
      pos_ += block_left;
      continue;
    }
    if (data_left < kHeaderSize) return kEof;  // torn header at the end: a clean end
    const char* h = data_.data() + pos_;
    uint32_t length =
        static_cast<uint8_t>(h[4]) | (static_cast<uint32_t>(static_cast<uint8_t>(h[5])) << 8);
    unsigned type = static_cast<uint8_t>(h[6]);
    if (type == kZeroType && length == 0) {
      // Zero-filled space. At the end of the data it is a torn tail (the file grew but the
      // bytes never reached the disk). Followed by more data it is a damaged block: this
      // writer never preallocates, so zeros there mean records were lost.
      if (block_left >= data_left) return kEof;
      Report(file_pos, block_left, "zero-filled block");
      pos_ += block_left;
      return kBad;
    }
    if (kHeaderSize + length > block_left) {
      // A length that leaves the block cannot be ours: drop the block.
      size_t skip = block_left < data_left ? block_left : data_left;
      Report(file_pos, skip, "bad record length");
      pos_ += skip;
      return kBad;
    }
    if (kHeaderSize + length > data_left) return kEof;  // torn payload at the end: clean end
    uint32_t expected = crc32c::Unmask(static_cast<uint8_t>(h[0]) |
                                       (static_cast<uint32_t>(static_cast<uint8_t>(h[1])) << 8) |
                                       (static_cast<uint32_t>(static_cast<uint8_t>(h[2])) << 16) |
                                       (static_cast<uint32_t>(static_cast<uint8_t>(h[3])) << 24));
    uint32_t actual = crc32c::Extend(crc32c::Value(h + 6, 1), h + kHeaderSize, length);
    if (actual != expected || type > kMaxRecordType) {
      // The length itself may be what is damaged, so trust nothing else in this block.
      size_t skip = block_left < data_left ? block_left : data_left;
      Report(file_pos, skip, actual != expected ? "checksum mismatch" : "unknown record type");
      pos_ += skip;
      return kBad;
    }
    *fragment = std::string_view(h + kHeaderSize, length);
    *fragment_offset = file_pos;
    pos_ += kHeaderSize + length;
    return type;
  }
}

bool Reader::ReadRecord(std::string_view* record, std::string* scratch, uint64_t* record_offset) {
  scratch->clear();
  bool in_fragmented = false;
  uint64_t start = 0;
  while (true) {
    std::string_view fragment;
    uint64_t offset = 0;
    unsigned type = ReadPhysical(&fragment, &offset);
    switch (type) {
      case kFullType:
        if (in_fragmented) Report(start, offset - start, "partial record without end");
        *record = fragment;
        *record_offset = offset;
        last_end_ = base_ + pos_;
        return true;
      case kFirstType:
        if (in_fragmented) Report(start, offset - start, "partial record without end");
        scratch->assign(fragment);
        in_fragmented = true;
        start = offset;
        break;
      case kMiddleType:
        if (!in_fragmented) {
          Report(offset, fragment.size() + kHeaderSize, "missing start of fragmented record");
        } else {
          scratch->append(fragment);
        }
        break;
      case kLastType:
        if (!in_fragmented) {
          Report(offset, fragment.size() + kHeaderSize, "missing start of fragmented record");
        } else {
          scratch->append(fragment);
          *record = *scratch;
          *record_offset = start;
          last_end_ = base_ + pos_;
          return true;
        }
        break;
      case kBad:
        if (in_fragmented) {
          Report(start, base_ + pos_ - start, "fragmented record broken by corruption");
          in_fragmented = false;
          scratch->clear();
        }
        break;
      default:  // kEof: a record cut short by the end of the data is a torn tail
        return false;
    }
  }
}

}  // namespace tributary::log
