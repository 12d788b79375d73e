#pragma once
// A small Prometheus registry. Counters are created at start-up (their addresses stay
// valid) and incremented lock-free on hot paths; gauges are read through callbacks when
// /metrics is rendered.

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace tributary {

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Metrics {
 public:
  // `labels` is the Prometheus label text without braces, e.g. `sink="archive"`.
  // Returns the same counter for the same name and labels.
  Counter& GetCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  void AddGauge(const std::string& name, const std::string& help, const std::string& labels,
                std::function<double()> read);
  // A counter kept elsewhere (by a library component), read when /metrics is rendered.
  void AddCounter(const std::string& name, const std::string& help, const std::string& labels,
                  std::function<double()> read);

  // Prometheus text exposition format 0.0.4.
  std::string Render() const;

 private:
  struct Series {
    std::string name, help, labels;
    bool is_counter;
    Counter counter;
    std::function<double()> read;  // gauges, and counters kept elsewhere
  };
  void Add(const std::string& name, const std::string& help, const std::string& labels,
           bool is_counter, std::function<double()> read);
  mutable std::mutex mu_;
  std::deque<Series> series_;
};

// Labels are quoted values; this escapes a value for them.
std::string LabelValue(std::string_view v);

}  // namespace tributary
