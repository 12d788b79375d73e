#pragma once
// Frames records in LevelDB's log format for one gather write: each fragment is a header
// (kept by the framing) and a view into the record's payload, which is not copied. The
// writer only tracks the offset within the current block.

#include <sys/uio.h>

#include <array>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "buffer/disk/log_format.h"

namespace tributary::log {

// Framed records: what to write, in order. Headers and padding live here; payload bytes
// are the callers', who keep them until the write is done.
class Framed {
 public:
  void Clear();
  // Bytes in all.
  size_t size() const { return size_; }
  // The pieces for `pwritev`; the write advances them.
  std::vector<iovec>& pieces() { return iov_; }

 private:
  friend class Writer;
  void Add(const char* data, size_t n);

  // A deque never moves what it holds, so the pieces can point into it as it grows.
  std::deque<std::array<char, kHeaderSize>> headers_;
  std::vector<iovec> iov_;
  size_t size_ = 0;
};

class Writer {
 public:
  // `offset` is the file size the framing continues from.
  explicit Writer(uint64_t offset = 0) : block_offset_(offset % kBlockSize) {}

  // Adds the framed record to `out`; `payload` must stay as it is until `out` is written.
  void AddRecord(std::string_view payload, Framed& out);

 private:
  size_t block_offset_;
};

}  // namespace tributary::log
