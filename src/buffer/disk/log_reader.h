#pragma once
// Reads records back from a segment's bytes, checking every fragment's checksum.
//
// Recovery choices (each explained where it is made in log_reader.cc):
//  - a truncated fragment at the end of the data is a torn tail: a clean end, not an error;
//  - a checksum or framing error is reported with the bytes dropped, and reading resumes
//    at the next block, so one damaged block never hides the records after it;
//  - zero-filled space (preallocation, a crash before data reached the disk) is skipped.

#include <cstdint>
#include <string>
#include <string_view>

#include "buffer/disk/log_format.h"

namespace tributary::log {

class Reader {
 public:
  struct Corruption {
    uint64_t offset;  // where the damaged bytes start
    uint64_t bytes;   // how many were skipped
    const char* reason;
  };
  class Reporter {
   public:
    virtual ~Reporter() = default;
    virtual void Corrupt(const Corruption& c) = 0;
  };

  // Reads from `data`, which holds the file's bytes from offset `start` (a record
  // boundary). `reporter` may be null.
  Reader(std::string_view data, uint64_t start, Reporter* reporter);

  // Returns the next complete record in `*record` (a view into `data` when it was one
  // fragment, else into `scratch`) and its offset in the file. False at the end.
  bool ReadRecord(std::string_view* record, std::string* scratch, uint64_t* record_offset);

  // The offset just after the last record returned.
  uint64_t end_offset() const { return last_end_; }

 private:
  enum { kEof = kMaxRecordType + 1, kBad = kMaxRecordType + 2 };
  unsigned ReadPhysical(std::string_view* fragment, uint64_t* fragment_offset);
  void Report(uint64_t offset, uint64_t bytes, const char* reason);

  std::string_view data_;
  uint64_t base_;  // file offset of data_[0]
  size_t pos_ = 0;
  uint64_t last_end_;
  Reporter* reporter_;
};

}  // namespace tributary::log
