#pragma once
// A bump allocator for the small strings an EventBatch derives from its input
// (unescaped attributes, generated ids and times). Views into it stay valid for the
// arena's lifetime: blocks are never moved or freed before the arena dies.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace tributary {

class Arena {
 public:
  explicit Arena(size_t block_size = 4096) : block_size_(block_size) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  char* Allocate(size_t n);

  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  size_t bytes_allocated() const { return allocated_; }

 private:
  size_t block_size_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  size_t left_ = 0;
  size_t allocated_ = 0;
};

}  // namespace tributary
