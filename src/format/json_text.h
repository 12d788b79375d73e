#pragma once
// Small JSON helpers shared by the parsers and the encoders.

#include <simdjson.h>

#include <string>
#include <string_view>

#include "core/arena.h"
#include "core/status.h"

namespace tributary {

namespace ondemand = simdjson::ondemand;

// The index of the first byte of `s` that a JSON string must escape ('"', '\\' or a
// control character), or s.size() if there is none.
size_t FindJsonEscape(std::string_view s);

// How many '"' `s` holds, or SIZE_MAX if it holds a '\\' or a control character. Text
// written as JSON string literals from values without escapes has exactly the quotes it
// put there: one pass over it checks all of its values at once.
size_t CountQuotesUnlessEscapes(std::string_view s);

// Appends `s` as a JSON string literal (with quotes), escaping what JSON requires.
void AppendJsonString(std::string& out, std::string_view s);

// Appends the text of the JSON string literal `literal` (with its quotes) to `out`;
// false if it is not one.
bool AppendJsonStringText(std::string_view literal, std::string& out);

// Reads a JSON string value. The result is a view into the input when the string has no
// escapes (the common case) and a copy in `arena` otherwise. (Unescaped control
// characters never get here: simdjson's stage 1 rejects the whole document.)
Result<std::string_view> ReadJsonString(ondemand::value& v, Arena& arena);

// Same for an object key.
Result<std::string_view> ReadJsonKey(ondemand::field& f, Arena& arena);

// The exact bytes of a JSON value (object, array or scalar), without trailing space.
// Consumes the value.
Result<std::string_view> RawJsonValue(ondemand::value& v);

// Fully validates `json`, which must be followed in memory by SIMDJSON_PADDING readable
// bytes (it is a view into a padded buffer): IndexJson, as a Status that names the problem.
Status ValidateJsonDocument(std::string_view json);

// Makes `s` usable as simdjson input: capacity >= size + SIMDJSON_PADDING.
inline void EnsurePadding(std::string& s) {
  if (s.capacity() < s.size() + simdjson::SIMDJSON_PADDING)
    s.reserve(s.size() + simdjson::SIMDJSON_PADDING);
}

std::string_view TrimJsonSpace(std::string_view s);

// True once the whole document was consumed (no trailing content).
inline bool AtEnd(ondemand::document& doc) {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace tributary
