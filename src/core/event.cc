#include "core/event.h"

#include <cassert>

namespace tributary {

const Attribute* EventBatch::FindExtension(const Event& e, std::string_view name) const {
  for (const Attribute& a : Extensions(e)) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void EventBatch::AddExtension(Event& e, Attribute a) {
  // Extensions of one event are contiguous: only the event being built may append.
  assert(e.ext_count == 0 || e.ext_begin + e.ext_count == extensions_.size());
  if (e.ext_count == 0) e.ext_begin = static_cast<uint32_t>(extensions_.size());
  extensions_.push_back(a);
  ++e.ext_count;
}

void EventBatch::SetExtension(Event& e, std::string_view name, std::string_view value) {
  std::string_view v = arena_.Copy(value);
  for (uint32_t i = 0; i < e.ext_count; ++i) {
    Attribute& a = extensions_[e.ext_begin + i];
    if (a.name == name) {
      a.value = v;
      a.kind = AttrKind::kString;
      if (name == "topic") e.topic = v;
      return;
    }
  }
  // Move the event's extensions to the end so they stay contiguous with the new one.
  if (e.ext_count != 0 && e.ext_begin + e.ext_count != extensions_.size()) {
    uint32_t begin = static_cast<uint32_t>(extensions_.size());
    for (uint32_t i = 0; i < e.ext_count; ++i) extensions_.push_back(extensions_[e.ext_begin + i]);
    e.ext_begin = begin;
  }
  if (e.ext_count == 0) e.ext_begin = static_cast<uint32_t>(extensions_.size());
  extensions_.push_back({arena_.Copy(name), v, AttrKind::kString});
  ++e.ext_count;
  if (name == "topic") e.topic = v;
}

}  // namespace tributary
