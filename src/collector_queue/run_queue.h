#pragma once
// The queue of collector runs waiting for a consumer, in the order the queue type says.
// Not thread-safe: the engine holds its lock around every call.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <vector>

#include "tributary/detail/work.h"
#include "tributary/queue_options.h"

namespace tributary::detail {

struct Run {
  std::shared_ptr<Work> work;
  uint32_t slot = 0;
  uint32_t collector = 0;
  int priority = 0;
  uint64_t seq = 0;  // publication order, for FIFO among equal priorities
};

class RunQueue {
 public:
  explicit RunQueue(QueueType type) : type_(type) {}

  void Push(Run run);
  Run Pop();  // precondition: !empty()
  bool empty() const { return size() == 0; }
  size_t size() const { return type_ == QueueType::kPriority ? heap_.size() : list_.size(); }

 private:
  struct Later {  // the heap's top is the run served first
    bool operator()(const Run& a, const Run& b) const {
      return a.priority != b.priority ? a.priority > b.priority : a.seq > b.seq;
    }
  };

  const QueueType type_;
  std::deque<Run> list_;  // FIFO and LIFO
  std::priority_queue<Run, std::vector<Run>, Later> heap_;
};

}  // namespace tributary::detail
