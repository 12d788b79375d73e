#include "core/arena.h"

namespace tributary {

char* Arena::Allocate(size_t n) {
  if (n > left_) {
    // Large requests get a block of their own so the current block is not wasted.
    size_t size = n > block_size_ / 4 ? n : block_size_;
    blocks_.push_back(std::make_unique<char[]>(size));
    allocated_ += size;
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
