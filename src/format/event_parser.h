#pragma once
// Turns request bodies into EventBatches: CloudEvents structured and batched JSON, plain
// JSON (object or array) and NDJSON mapped to CloudEvents, and HTTP binary mode.
//
// The batch's input must be padded (EnsurePadding) and is not modified: events are views
// into it. A parser object is cheap; the simdjson parsers it uses are per thread.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace tributary {

// How plain JSON objects become CloudEvents. Field paths are dotted ("context.message_id").
struct JsonMapping {
  std::string id;       // default: a generated UUIDv7
  std::string type;     // default: default_type
  std::string source;   // default: default_source
  std::string time;     // default: the time the request was received
  std::string subject;  // default: absent
  std::string topic;    // default: absent (or the URL's topic)
  std::string default_type = "tributary.json";
  std::string default_source = "tributary";
};

enum class BodyFormat { kStructured, kBatch, kJson, kNdjson };

struct ParseOptions {
  size_t max_event_bytes = 1 << 20;
  const JsonMapping* mapping = nullptr;  // required for kJson / kNdjson
  std::string_view topic;                // from the transport; overrides the event's topic
  int64_t receive_ns = 0;
  size_t max_errors = 100;
  // Input Tributary wrote and checksummed itself (the disk queue): every line is a
  // CloudEvent, and `data` was validated when it came in and is not walked again.
  bool trusted = false;
};

// One rejected event: which (index in the request), which attribute, why.
struct EventError {
  size_t index = 0;
  std::string attribute;
  std::string message;
};

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// Appends the events of `body`, a part of batch.input() (all of it by default), to the
// batch. Returns Ok, or InvalidArgument / TooLarge with the reasons in `errors`; on error the
// events of `body` may be partly added: discard the batch, or drop the events added since.
Status ParseEvents(BodyFormat format, std::string_view body, EventBatch& batch,
                   const ParseOptions& options, std::vector<EventError>& errors);
inline Status ParseEvents(BodyFormat format, EventBatch& batch, const ParseOptions& options,
                          std::vector<EventError>& errors) {
  return ParseEvents(format, batch.input(), batch, options, errors);
}

// How a protocol carries binary mode's attributes: HTTP as percent-encoded `ce-` headers,
// Kafka as plain UTF-8 `ce_` headers. Both name the data's type `content-type`.
struct BinaryBinding {
  std::string_view prefix;
  bool percent_encoded;
};
inline constexpr BinaryBinding kHttpBinary{"ce-", true};
inline constexpr BinaryBinding kKafkaBinary{"ce_", false};

// Binary mode: attributes from the binding's headers, `content-type` as datacontenttype,
// `body` (a part of batch.input(), all of it by default) as data.
Status ParseBinaryEvent(std::span<const HeaderField> headers, const BinaryBinding& binding,
                        std::string_view body, EventBatch& batch, const ParseOptions& options,
                        std::vector<EventError>& errors);
inline Status ParseBinaryEvent(std::span<const HeaderField> headers, EventBatch& batch,
                               const ParseOptions& options, std::vector<EventError>& errors) {
  return ParseBinaryEvent(headers, kHttpBinary, batch.input(), batch, options, errors);
}

bool IsJsonMediaType(std::string_view media_type);
bool IEquals(std::string_view a, std::string_view b);  // ASCII case-insensitive
// "Application/JSON; charset=utf-8" -> "application/json": a view into `content_type`, or
// into `buf` when letters had to be lowered.
std::string_view NormalizeMediaType(std::string_view content_type, std::string& buf);

}  // namespace tributary
