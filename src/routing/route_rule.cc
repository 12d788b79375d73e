#include "routing/route_rule.h"

#include "routing/glob.h"

namespace tributary {

bool LookupAttribute(const EventBatch& batch, const Event& e, std::string_view name,
                     std::string_view* value) {
  std::string_view v;
  if (name == "type")
    v = e.type;
  else if (name == "source")
    v = e.source;
  else if (name == "subject")
    v = e.subject;
  else if (name == "id")
    v = e.id;
  else if (name == "time")
    v = e.time;
  else if (name == "topic")
    v = e.topic;
  else if (name == "datacontenttype")
    v = e.datacontenttype;
  else if (name == "dataschema")
    v = e.dataschema;
  else if (name == "specversion")
    v = e.specversion;
  else if (const Attribute* a = batch.FindExtension(e, name))
    v = a->value;
  else
    return false;
  if (v.empty()) return false;
  *value = v;
  return true;
}

bool Condition::Matches(const EventBatch& batch, const Event& event) const {
  std::string_view v;
  bool present = LookupAttribute(batch, event, attribute, &v);
  switch (op) {
    case MatchOp::kExists:
      return present == exists;
    case MatchOp::kEquals:
      return present && v == value;
    case MatchOp::kPrefix:
      return present && v.substr(0, value.size()) == value;
    case MatchOp::kGlob:
      return present && GlobMatch(value, v);
  }
  return false;
}

}  // namespace tributary
