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
  Arena() = default;
  // Neither copied nor moved: views point into the inline block.
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  char* Allocate(size_t n);

  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

 private:
  // The first bytes live in the arena itself: a one-event request derives about 70 (an id
  // and a time), and a block of its own cost it two allocations.
  static constexpr size_t kInlineBytes = 256, kBlockBytes = 4096;
  char inline_[kInlineBytes];
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = inline_;
  size_t left_ = kInlineBytes;
};

}  // namespace tributary
