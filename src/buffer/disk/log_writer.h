#pragma once
// Frames records into a byte buffer (LevelDB's log format). The caller writes the buffer
// to the file; the writer only tracks the offset within the current block.

#include <string>
#include <string_view>

#include "buffer/disk/log_format.h"

namespace tributary::log {

// At most the framed size of `records` records of `bytes` bytes in all: each fragment (a
// record is cut at each block end) costs a header, and at most a header's size of padding.
constexpr size_t FramedSizeBound(size_t bytes, size_t records) {
  return bytes + (bytes / (kBlockSize - kHeaderSize) + 2 * records) * 2 * kHeaderSize;
}

class Writer {
 public:
  // `offset` is the file size the framing continues from.
  explicit Writer(uint64_t offset = 0) : block_offset_(offset % kBlockSize) {}

  // Appends the framed record to `out`.
  void AddRecord(std::string_view payload, std::string& out);

 private:
  size_t block_offset_;
};

}  // namespace tributary::log
