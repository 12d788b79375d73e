#pragma once
// What one collector made of one payload: its value, or the error it reported or threw.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tributary {

struct CollectorError {
  std::string message;
};

template <typename R>
class CollectorResult {
 public:
  static CollectorResult Ok(R value) { return CollectorResult(std::move(value)); }
  static CollectorResult Error(std::string message) {
    return CollectorResult(CollectorError{std::move(message)});
  }

  // Implicit, so that a processor can `return value;` or `return CollectorError{...};`.
  CollectorResult(R value) : v_(std::move(value)) {}               // NOLINT
  CollectorResult(CollectorError error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  // The value; throws std::logic_error when this is an error, naming it.
  const R& value() const {
    if (!ok()) throw std::logic_error("collector `" + collector_ + "` failed: " + error());
    return std::get<0>(v_);
  }
  // The error message; empty when ok.
  const std::string& error() const {
    static const std::string kNone;
    return ok() ? kNone : std::get<1>(v_).message;
  }
  // The key of the collector that produced this result.
  const std::string& collector() const { return collector_; }
  void set_collector(std::string key) { collector_ = std::move(key); }
  // Takes `other`'s value or error and keeps this result's collector.
  void ReplaceOutcome(CollectorResult&& other) { v_ = std::move(other.v_); }

 private:
  std::variant<R, CollectorError> v_;
  std::string collector_;
};

// One result per collector the payload was routed to, in the order the collectors were
// registered. Empty when the payload matched no collector.
template <typename R>
class ResultList {
 public:
  using const_iterator = typename std::vector<CollectorResult<R>>::const_iterator;

  ResultList() = default;
  explicit ResultList(std::vector<CollectorResult<R>> results) : results_(std::move(results)) {}

  // The first result, or nullptr when the list is empty.
  const CollectorResult<R>* First() const { return results_.empty() ? nullptr : &results_[0]; }
  // The result of collector `key`, or nullptr when the payload was not routed to it.
  const CollectorResult<R>* Find(const std::string& key) const {
    for (const auto& r : results_)
      if (r.collector() == key) return &r;
    return nullptr;
  }
  bool AllOk() const {
    for (const auto& r : results_)
      if (!r.ok()) return false;
    return true;
  }
  size_t size() const { return results_.size(); }
  bool empty() const { return results_.empty(); }
  const CollectorResult<R>& operator[](size_t i) const { return results_[i]; }
  const_iterator begin() const { return results_.begin(); }
  const_iterator end() const { return results_.end(); }

  // For the queue: slot i is written by one consumer only.
  CollectorResult<R>& slot(size_t i) { return results_[i]; }

 private:
  std::vector<CollectorResult<R>> results_;
};

}  // namespace tributary
