#pragma once
// Segment files of the disk queue: `<dir>/segments/<20-digit number>.log`, numbered in
// the order they were written; and a position in the log.

#include <cstdint>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "core/status.h"

namespace tributary {

// A point in the log: a record (segment, offset) and an event index within it.
struct LogPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint32_t event = 0;

  auto operator<=>(const LogPosition&) const = default;
};

std::string SegmentPath(const std::string& dir, uint64_t number);
// Numbers of the segment files in `dir`, ascending.
Result<std::vector<uint64_t>> ListSegments(const std::string& dir);

}  // namespace tributary
