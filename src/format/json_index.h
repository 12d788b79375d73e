#pragma once
// The structural index of a JSON text: where simdjson's stage 1 found each '{', '}', '[',
// ']', ',', ':' and the first byte of each scalar. Each thread keeps one (in its DOM
// parser), filled by ParseJsonDom or IndexJson and read by JsonStructureCursor.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tributary {

// Parses `json` (followed in memory by SIMDJSON_PADDING readable bytes) with simdjson's DOM
// parser, which validates every value in one fast pass. It also fails on what the DOM cannot
// hold (integers beyond 64 bits, nesting past 128 levels) that is still valid JSON, so an
// error means "take the on-demand walk", which decides and explains. `out` is valid until
// the thread's next call.
simdjson::error_code ParseJsonDom(std::string_view json, simdjson::dom::element& out);

// The values at the top of a JSON document, each element if it is an array, else the
// document itself: where an event of a body begins and ends.
struct JsonTops {
  struct Value {
    uint32_t start, end;  // its bytes: json.substr(start, end - start)
    uint32_t structural;  // its first structural, where a JsonStructureCursor may start
    bool is_object;
    bool has_key;  // an object with a member named `key` (as written, escapes not decoded)
  };
  std::string_view key;  // what `has_key` looks for
  std::vector<Value> values;
};

// Validates `json` (padded like the above) without building a DOM: simdjson's stage 1
// checks UTF-8, strings and control characters and indexes the structurals; a walk over that
// index checks the rest (grammar, numbers, literals, escapes, nesting up to 128 levels). About
// twice as fast as ParseJsonDom, whose stage 2 converts every number and copies every string,
// and exact where the DOM is not (integers of any size are valid JSON) and where simdjson's
// on-demand parser is lax (it reads a stray ':' in an array as a ','). Returns SUCCESS, after
// which a JsonStructureCursor may walk `json`, or what is wrong as simdjson names it.
// `tops`, if given, receives the document's top values.
simdjson::error_code IndexJson(std::string_view json, JsonTops* tops = nullptr);

// Walks the document that ParseJsonDom or IndexJson last accepted on this thread by its
// structural characters: the exact bytes of values come without reading the text again.
// Valid until the thread's next ParseJsonDom or IndexJson.
class JsonStructureCursor {
 public:
  // At the structural numbered `structural` (by default the first) of `json`, the text given
  // to ParseJsonDom or IndexJson.
  explicit JsonStructureCursor(std::string_view json, size_t structural = 0);

  char current() const { return at_ < n_ ? base_[index_[at_]] : '\0'; }
  void Advance() { ++at_; }
  // The bytes of the value at the cursor; moves past it.
  std::string_view TakeValue();
  // In an object (after its '{' or a member): the next member's key as written (without
  // quotes, escapes not decoded) and the cursor at its value, which the caller must take or
  // skip. False, past the '}', after the last one.
  bool NextKey(std::string_view& key);
  // The same, taking the value too.
  bool NextMember(std::string_view& key, std::string_view& value);

 private:
  const char* base_;
  size_t size_;
  const uint32_t* index_;
  size_t n_;
  size_t at_;
};

}  // namespace tributary
