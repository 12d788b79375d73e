#include "buffer/disk/segment.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace tributary {

std::string SegmentPath(const std::string& dir, uint64_t number) {
  return fmt::format("{}/segments/{:020}.log", dir, number);
}

Result<std::vector<uint64_t>> ListSegments(const std::string& dir) {
  std::vector<uint64_t> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir + "/segments", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() != 24 || !name.ends_with(".log")) continue;
    uint64_t n = 0;
    bool digits = true;
    for (size_t i = 0; i < 20; ++i) {
      digits &= name[i] >= '0' && name[i] <= '9';
      n = n * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    if (digits) out.push_back(n);
  }
  if (ec) return IoError("cannot list " + dir + "/segments: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tributary
