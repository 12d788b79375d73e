#pragma once
// The record framing of the disk queue's segment files, as in LevelDB's log
// (doc/log_format.md there):
//
//   A file is a sequence of 32 KiB blocks. A record is stored as one or more fragments,
//   each with a 7-byte header: masked CRC32C (4, over type and payload), length (2, little
//   endian), type (1). A record that does not fit in the rest of a block continues in the
//   next as FIRST, MIDDLE..., LAST. A block tail shorter than a header is zero-filled.
//
// Why: a reader can always resynchronise at the next block boundary, so one damaged byte
// costs at most the records of one block, never the rest of the file.

#include <cstddef>
#include <cstdint>

namespace tributary::log {

enum RecordType : uint8_t {
  kZeroType = 0,  // preallocated or zero-filled space
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};
constexpr int kMaxRecordType = kLastType;

constexpr size_t kBlockSize = 32768;
constexpr size_t kHeaderSize = 4 + 2 + 1;

}  // namespace tributary::log
