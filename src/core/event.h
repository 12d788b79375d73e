#pragma once
// Event and EventBatch: the unit that flows from sources through queues to sinks.
//
// An EventBatch owns the bytes it was parsed from (usually an HTTP request body) and an
// arena for the few strings that had to be derived (unescaped, percent-decoded,
// generated). Every Event in it is a set of views into those bytes: nothing of an event
// is copied between the source and the encoder. `data` is the original bytes, written
// back unchanged by the encoders.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"

namespace tributary {

// How an attribute value was written in JSON, so encoders can write it back.
enum class AttrKind : uint8_t { kString, kNumber, kBool };

struct Attribute {
  std::string_view name;
  std::string_view value;  // unescaped text for strings; the JSON token for numbers/bools
  AttrKind kind = AttrKind::kString;
};

enum class DataKind : uint8_t {
  kNone,    // no data
  kJson,    // `data` is a JSON value; `data` holds its exact bytes
  kBase64,  // `data` holds the base64 text of `data_base64` (without quotes)
};

struct Event {
  // Required context attributes.
  std::string_view id;
  std::string_view source;
  std::string_view type;
  std::string_view specversion;
  // Optional context attributes (empty = absent).
  std::string_view datacontenttype;
  std::string_view dataschema;
  std::string_view subject;
  std::string_view time;
  // The routing topic: the `topic` extension, or the topic given by the transport.
  std::string_view topic;

  DataKind data_kind = DataKind::kNone;
  std::string_view data;

  // The event as compact structured-mode JSON, when that is at hand (read back from the
  // disk queue, which stores exactly that): encoders copy it instead of writing it anew.
  // In its input it is always followed by a newline, which NDJSON lends with it.
  std::string_view json;

  // Extension attributes live in EventBatch::extensions_ [ext_begin, ext_begin+ext_count).
  uint32_t ext_begin = 0;
  uint32_t ext_count = 0;

  // Bytes this event occupies in its input: the unit of size limits and queue accounting.
  uint32_t size = 0;
};

class EventBatch {
 public:
  EventBatch() = default;
  explicit EventBatch(std::string input) : input_(std::move(input)) {}
  EventBatch(const EventBatch&) = delete;
  EventBatch& operator=(const EventBatch&) = delete;

  // The bytes events point into. Must not be modified once events refer to it.
  const std::string& input() const { return input_; }
  std::string& mutable_input() { return input_; }

  std::vector<Event>& events() { return events_; }
  const std::vector<Event>& events() const { return events_; }
  size_t size() const { return events_.size(); }

  std::span<const Attribute> Extensions(const Event& e) const {
    return {extensions_.data() + e.ext_begin, e.ext_count};
  }
  // Returns the value of extension `name`, or nullptr.
  const Attribute* FindExtension(const Event& e, std::string_view name) const;

  // Appends an extension to the event being built (the last one in events()).
  void AddExtension(Event& e, Attribute a);
  // Sets (adds or replaces) an extension of any event; the value is copied into the arena.
  void SetExtension(Event& e, std::string_view name, std::string_view value);

  Arena& arena() { return arena_; }

  // Time the batch was received (ns since the Unix epoch), for queue age metrics.
  int64_t received_ns = 0;

 private:
  std::string input_;
  std::vector<Event> events_;
  std::vector<Attribute> extensions_;
  Arena arena_;
};

using EventBatchPtr = std::shared_ptr<EventBatch>;

}  // namespace tributary
