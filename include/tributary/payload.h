#pragma once
// A payload published to a collector queue, and how it is delivered.

#include <optional>
#include <string>
#include <vector>

namespace tributary {

enum class Delivery {
  kBroadcast,  // every collector (the default)
  kKey,        // the collectors whose key is in `keys`
  kTopic,      // the collectors subscribed to a pattern matching any of `topics`
};

template <typename T>
struct Payload {
  T value;
  Delivery delivery = Delivery::kBroadcast;
  std::vector<std::string> keys{};  // defaults given so that designated initialisers may skip them
  std::vector<std::string> topics{};
  // Lower numbers are served first by a PRIORITY queue; unset = the queue's default.
  std::optional<int> priority{};
};

}  // namespace tributary
