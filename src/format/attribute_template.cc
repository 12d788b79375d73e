#include "format/attribute_template.h"

#include "format/event_builder.h"
#include "format/json_index.h"
#include "format/json_text.h"

namespace tributary {
namespace {

bool IsAttributeName(std::string_view name) {
  static constexpr std::string_view kContext[] = {
      "id",         "source",          "type", "specversion", "time", "subject",
      "dataschema", "datacontenttype", "topic"};
  for (std::string_view c : kContext) {
    if (name == c) return true;
  }
  return IsValidExtensionName(name);
}

// The value at `pointer` in JSON `data`, appended to `out`; nothing if absent or null.
void AppendDataPointer(std::string_view data, const std::string& pointer, std::string& out) {
  thread_local std::string padded;  // the parser reads past the end; data is a view
  padded.assign(data);
  EnsurePadding(padded);
  simdjson::dom::element root, value;
  if (ParseJsonDom(padded, root) != simdjson::SUCCESS) return;
  if (root.at_pointer(pointer).get(value) != simdjson::SUCCESS || value.is_null()) return;
  std::string_view s;
  if (value.get_string().get(s) == simdjson::SUCCESS) {
    out.append(s);
  } else {
    out.append(simdjson::minify(value));
  }
}

}  // namespace

Result<AttributeTemplate> AttributeTemplate::Parse(std::string_view text) {
  AttributeTemplate t;
  std::string_view rest = text;
  auto fail = [&](const std::string& why) {
    return InvalidArgument("template \"" + std::string(text) + "\": " + why);
  };
  while (!rest.empty()) {
    size_t open = rest.find('{');
    if (open != 0) {
      std::string_view lit = rest.substr(0, open);
      if (lit.find('}') != std::string_view::npos) return fail("`}` without `{`");
      t.parts_.push_back({Kind::kLiteral, std::string(lit)});
      if (open == std::string_view::npos) break;
      rest.remove_prefix(open);
    }
    size_t close = rest.find('}');
    if (close == std::string_view::npos) return fail("`{` is not closed");
    std::string_view name = rest.substr(1, close - 1);
    if (name.starts_with('/')) {
      t.parts_.push_back({Kind::kPointer, std::string(name)});
    } else if (IsAttributeName(name)) {
      t.parts_.push_back({Kind::kAttribute, std::string(name)});
    } else {
      return fail("`{" + std::string(name) +
                  "}` is neither an attribute (lowercase letters and digits) nor a JSON pointer "
                  "into data (`{/field/sub}`)");
    }
    rest.remove_prefix(close + 1);
  }
  return t;
}

void AttributeTemplate::Expand(const EventBatch& batch, const Event& e,
                               const Enrichment* enrichment, std::string& out) const {
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral:
        out.append(p.text);
        break;
      case Kind::kAttribute: {
        std::string_view v;
        if (LookupSentAttribute(batch, e, enrichment, p.text, &v)) out.append(v);
        break;
      }
      case Kind::kPointer:
        if (e.data_kind == DataKind::kJson) AppendDataPointer(e.data, p.text, out);
        break;
    }
  }
}

}  // namespace tributary
