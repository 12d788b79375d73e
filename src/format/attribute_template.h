#pragma once
// Templates that name a record after its event, such as a Kafka topic "events.{topic}" or
// key "{partitionkey}": literal text and placeholders. `{name}` is a context or extension
// attribute (a sink's own extensions first); `{/a/b}` is a JSON pointer (RFC 6901) into the
// event's JSON `data`, whose string value expands to its text and any other value to its
// JSON. A placeholder that is absent expands to "". Parsed once, expanded per event.

#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "format/encoder.h"

namespace tributary {

class AttributeTemplate {
 public:
  AttributeTemplate() = default;
  // Errors name the template and the fault: an unclosed `{`, an empty or invalid name.
  static Result<AttributeTemplate> Parse(std::string_view text);

  bool empty() const { return parts_.empty(); }
  // Appends the expansion for `event` to `out`.
  void Expand(const EventBatch& batch, const Event& event, const Enrichment* enrichment,
              std::string& out) const;

 private:
  enum class Kind { kLiteral, kAttribute, kPointer };
  struct Part {
    Kind kind;
    std::string text;  // the literal, the attribute name or the JSON pointer
  };
  std::vector<Part> parts_;
};

}  // namespace tributary
