#pragma once
// EventBuilder applies the CloudEvents v1.0 attribute rules while an event is assembled,
// whatever the wire format: known attributes with their types, extension names
// ([a-z0-9]+), duplicates, `time` as RFC 3339, required attributes, specversion "1.0".

#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"

namespace tributary {

// An error that names the attribute at fault (empty = the event as a whole).
struct AttributeError {
  std::string attribute;
  std::string message;
};

class EventBuilder {
 public:
  EventBuilder(EventBatch& batch, Event& event) : batch_(batch), event_(event) {}

  // Sets one attribute. `value` must outlive the batch (a view into its input or arena).
  bool Set(std::string_view name, std::string_view value, AttrKind kind);
  // Checks required attributes; call once after the last Set.
  bool Finish();

  const AttributeError& error() const { return error_; }

 private:
  bool Fail(std::string_view attribute, std::string message);

  EventBatch& batch_;
  Event& event_;
  uint32_t seen_ = 0;  // bit per known attribute
  AttributeError error_;
};

// True for a valid extension attribute name: lowercase ASCII letters and digits.
bool IsValidExtensionName(std::string_view name);

}  // namespace tributary
