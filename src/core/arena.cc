#include "core/arena.h"

namespace tributary {

char* Arena::Allocate(size_t n) {
  if (n > left_) {
    // Large requests get a block of their own so the current block is not wasted.
    size_t size = n > kBlockBytes / 4 ? n : kBlockBytes;
    // For overwrite: zeroing 4 KiB per batch showed in the single-event profile.
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    if (size == n) return blocks_.back().get();
    cur_ = blocks_.back().get();
    left_ = size;
  }
  char* p = cur_;
  cur_ += n;
  left_ -= n;
  return p;
}

}  // namespace tributary
