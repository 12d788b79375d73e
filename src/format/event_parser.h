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
  // Input Tributary wrote and checksummed itself (the disk queue): `data` was validated
  // when it came in and is not walked again.
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

// Appends the events of batch.input() to the batch. Returns Ok, or InvalidArgument /
// TooLarge with the reasons in `errors`; on error the batch must be discarded.
Status ParseEvents(BodyFormat format, EventBatch& batch, const ParseOptions& options,
                   std::vector<EventError>& errors);

// Binary mode: attributes from `ce-*` headers (percent-decoded), `Content-Type` as
// datacontenttype, the whole input as data.
Status ParseBinaryEvent(std::span<const HeaderField> headers, EventBatch& batch,
                        const ParseOptions& options, std::vector<EventError>& errors);

bool IsJsonMediaType(std::string_view media_type);
bool IEquals(std::string_view a, std::string_view b);  // ASCII case-insensitive
// "Application/JSON; charset=utf-8" -> "application/json" (lowercased into `buf`).
std::string_view NormalizeMediaType(std::string_view content_type, std::string& buf);

}  // namespace tributary
