#include "collector_queue/run_queue.h"

#include <utility>

namespace tributary::detail {

void RunQueue::Push(Run run) {
  if (type_ == QueueType::kPriority) {
    heap_.push(std::move(run));
  } else {
    list_.push_back(std::move(run));
  }
}

Run RunQueue::Pop() {
  Run run;
  switch (type_) {
    case QueueType::kPriority:
      // priority_queue::top is const; the run is moved out just before it is popped.
      run = std::move(const_cast<Run&>(heap_.top()));
      heap_.pop();
      break;
    case QueueType::kLifo:
      run = std::move(list_.back());
      list_.pop_back();
      break;
    case QueueType::kFifo:
      run = std::move(list_.front());
      list_.pop_front();
      break;
  }
  return run;
}

}  // namespace tributary::detail
