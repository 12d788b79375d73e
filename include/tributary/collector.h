#pragma once
// A collector: a named processor that payloads are routed to, with the state it keeps
// between payloads (a database connection, a client) set up and torn down once.

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

#include "tributary/collector_result.h"

namespace tributary {

// What a collector's processor and lifecycle share. Processors of one collector may run
// on several consumers at once; state that is not thread-safe needs `exclusive`.
class CollectorContext {
 public:
  explicit CollectorContext(std::string key) : key_(std::move(key)) {}

  const std::string& key() const { return key_; }

  // Replaces the state with an S built from `args` (S may be move-only).
  template <typename S, typename... A>
  S& Emplace(A&&... args) {
    auto state = std::make_shared<S>(std::forward<A>(args)...);
    S& ref = *state;
    state_ = std::move(state);
    type_ = &typeid(S);
    return ref;
  }
  // The state; throws std::logic_error when there is none or it is not an S.
  template <typename S>
  S& Get() const {
    if (!type_ || *type_ != typeid(S))
      throw std::logic_error("collector `" + key_ + "` has no state of the type asked for");
    return *static_cast<S*>(state_.get());
  }
  bool has_state() const { return state_ != nullptr; }
  void Reset() {
    state_.reset();
    type_ = nullptr;
  }

 private:
  std::string key_;
  std::shared_ptr<void> state_;
  const std::type_info* type_ = nullptr;
};

struct CollectorLifecycle {
  std::function<void(CollectorContext&)> setup{};     // once, at Start, before any payload
  std::function<void(CollectorContext&)> teardown{};  // once, at Stop, after the last payload
};

// A processor takes (const T&, CollectorContext&) or just (const T&), and returns R, a
// CollectorResult<R>, or nothing when R is std::monostate. An exception it throws becomes
// an error result for its collector only.
template <typename T, typename R>
class Processor {
 public:
  template <typename F>
  requires(!std::is_same_v<std::decay_t<F>, Processor>) Processor(F f)
      : fn_(Wrap(std::move(f))) {}  // NOLINT: implicit, so a lambda is a Processor

  CollectorResult<R> operator()(const T& value, CollectorContext& context) const {
    return fn_(value, context);
  }

 private:
  using Fn = std::function<CollectorResult<R>(const T&, CollectorContext&)>;

  template <typename F>
  static Fn Wrap(F f) {
    if constexpr (std::is_invocable_v<F&, const T&, CollectorContext&>) {
      return [f = std::move(f)](const T& v, CollectorContext& c) { return Finish(f, v, c); };
    } else {
      static_assert(std::is_invocable_v<F&, const T&>,
                    "a processor takes (const T&, CollectorContext&) or (const T&)");
      return [f = std::move(f)](const T& v, CollectorContext&) { return Finish(f, v); };
    }
  }
  template <typename F, typename... A>
  static CollectorResult<R> Finish(const F& f, A&&... args) {
    if constexpr (std::is_void_v<std::invoke_result_t<const F&, A...>>) {
      static_assert(std::is_same_v<R, std::monostate>,
                    "a processor that returns nothing needs a queue whose result type is "
                    "std::monostate");
      f(std::forward<A>(args)...);
      return CollectorResult<R>(std::monostate{});
    } else {
      return CollectorResult<R>(f(std::forward<A>(args)...));
    }
  }

  Fn fn_;
};

// Collector(key, processor, topics, lifecycle, exclusive): a constructor rather than an
// aggregate, because GCC 12 fails on designated initialisers of this template (an internal
// compiler error in nothrow_spec_p).
template <typename T, typename R = std::monostate>
struct Collector {
  Collector(std::string key, Processor<T, R> processor, std::vector<std::string> topics = {},
            std::optional<CollectorLifecycle> lifecycle = std::nullopt, bool exclusive = false)
      : key(std::move(key)),
        processor(std::move(processor)),
        topics(std::move(topics)),
        lifecycle(std::move(lifecycle)),
        exclusive(exclusive) {}

  std::string key;  // unique within a queue
  Processor<T, R> processor;
  // Topic patterns (`+` one level, `#` the rest; levels split by `/` or `.`) that topic
  // delivery matches; none = only broadcast and key delivery reach this collector.
  std::vector<std::string> topics;
  std::optional<CollectorLifecycle> lifecycle;
  // One payload at a time, for state that is not thread-safe.
  bool exclusive;
};

}  // namespace tributary
