#include "format/event_builder.h"

#include "core/time_util.h"

namespace tributary {
namespace {

enum Known : uint32_t {
  kSpecversion = 1 << 0,
  kId = 1 << 1,
  kSource = 1 << 2,
  kType = 1 << 3,
  kDatacontenttype = 1 << 4,
  kDataschema = 1 << 5,
  kSubject = 1 << 6,
  kTime = 1 << 7,
};

struct KnownAttr {
  std::string_view name;
  Known bit;
  std::string_view Event::*field;
};

constexpr KnownAttr kKnown[] = {
    {"specversion", kSpecversion, &Event::specversion},
    {"id", kId, &Event::id},
    {"source", kSource, &Event::source},
    {"type", kType, &Event::type},
    {"datacontenttype", kDatacontenttype, &Event::datacontenttype},
    {"dataschema", kDataschema, &Event::dataschema},
    {"subject", kSubject, &Event::subject},
    {"time", kTime, &Event::time},
};

}  // namespace

bool IsValidExtensionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool EventBuilder::Fail(std::string_view attribute, std::string message) {
  error_.attribute = std::string(attribute);
  error_.message = std::move(message);
  return false;
}

bool EventBuilder::Set(std::string_view name, std::string_view value, AttrKind kind) {
  for (const KnownAttr& k : kKnown) {
    if (name != k.name) continue;
    if (seen_ & k.bit) return Fail(name, "duplicate attribute");
    seen_ |= k.bit;
    if (kind != AttrKind::kString) return Fail(name, "must be a string");
    if (value.empty()) return Fail(name, "must be a non-empty string");
    if (k.bit == kSpecversion && value != "1.0") {
      return Fail(name,
                  "unsupported specversion '" + std::string(value) + "'; only \"1.0\" is accepted");
    }
    if (k.bit == kTime && !IsRfc3339(value)) {
      return Fail(name, "not an RFC 3339 timestamp (e.g. 2026-11-23T08:00:00Z)");
    }
    if (k.bit == kDatacontenttype && value.find('/') == std::string_view::npos) {
      return Fail(name, "not a media type (RFC 2046), e.g. application/json");
    }
    event_.*k.field = value;
    return true;
  }
  if (!IsValidExtensionName(name)) {
    return Fail(name,
                "invalid extension attribute name: use only lowercase letters a-z and digits 0-9");
  }
  if (batch_.FindExtension(event_, name)) return Fail(name, "duplicate attribute");
  if (kind == AttrKind::kString && name == "topic") event_.topic = value;
  batch_.AddExtension(event_, {name, value, kind});
  return true;
}

bool EventBuilder::Finish() {
  if (!(seen_ & kSpecversion)) return Fail("specversion", "missing required attribute");
  if (!(seen_ & kId)) return Fail("id", "missing required attribute");
  if (!(seen_ & kSource)) return Fail("source", "missing required attribute");
  if (!(seen_ & kType)) return Fail("type", "missing required attribute");
  return true;
}

}  // namespace tributary
