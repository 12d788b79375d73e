#include "format/json_index.h"

#include <array>
#include <cstring>
#include <new>

#include "format/hex.h"

namespace tributary {
namespace {

// How deep containers may nest, the document's own included; the DOM parser holds as much.
constexpr int kMaxDepth = 128;

simdjson::dom::parser& DomParser() {
  struct Holder {
    simdjson::dom::parser parser;
    Holder() {
      if (parser.allocate(4096, kMaxDepth)) throw std::bad_alloc();
    }
  };
  thread_local Holder holder;
  return holder.parser;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The code unit of the "\uXXXX" at `p`, or -1 if it is not one.
int UnicodeEscape(std::string_view s, size_t p) {
  if (p + 6 > s.size() || s[p] != '\\' || s[p + 1] != 'u') return -1;
  int v = 0;
  for (size_t i = p + 2; i < p + 6; ++i) {
    int h = HexDigitValue(s[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// True if every escape in the string literal `s` (with its quotes) is one JSON allows and
// decodes to Unicode: a surrogate only as a high one escaped right before a low one (simdjson
// refuses lone ones too).
bool EscapesValid(std::string_view s) {
  if (s.size() < 2 || s.back() != '"') return false;
  s = s.substr(1, s.size() - 2);
  for (size_t i = s.find('\\'); i != std::string_view::npos; i = s.find('\\', i)) {
    if (i + 1 >= s.size()) return false;
    switch (s[i + 1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        i += 2;
        break;
      case 'u': {
        int unit = UnicodeEscape(s, i);
        if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return false;
        i += 6;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          int low = UnicodeEscape(s, i);
          if (low < 0xDC00 || low > 0xDFFF) return false;
          i += 6;
        }
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

// True if [p, end) is one JSON number (RFC 8259's grammar; any size).
bool IsNumber(const char* p, const char* end) {
  auto digit = [&] { return p < end && *p >= '0' && *p <= '9'; };
  auto digits = [&] {
    if (!digit()) return false;
    while (digit()) ++p;
    return true;
  };
  if (p < end && *p == '-') ++p;
  if (p < end && *p == '0') {
    ++p;
  } else if (!digits()) {
    return false;
  }
  if (p < end && *p == '.') {
    ++p;
    if (!digits()) return false;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (!digits()) return false;
  }
  return p == end;
}

// The grammar of RFC 8259 over stage 1's structural index, one structural at a time; errors
// as simdjson names them. Stage 1 already rejected invalid UTF-8, unclosed strings and
// unescaped control characters; a structural '"' always opens a string; and every byte that
// follows a value, other than space, is a structural of its own, so a scalar's token runs to
// the next structural. A string without escapes is therefore valid as it is: only scalars,
// and escapes, are read. Numbers are checked by the grammar alone: any size is valid JSON.
class IndexWalk {
 public:
  IndexWalk(std::string_view json, const uint32_t* index, size_t n, bool escapes, JsonTops* tops)
      : json_(json), index_(index), n_(n), escapes_(escapes), tops_(tops) {
    if (tops_) {
      tops_->values.clear();
      top_depth_ = n_ > 0 && json_[index_[0]] == '[' ? 1 : 0;
    }
  }

  // Written as one state per label, like simdjson's stage 2: each state's branches are then
  // predicted at their own site, which is most of the speed of a walk like this.
  simdjson::error_code Walk() {
    using simdjson::DEPTH_ERROR, simdjson::SUCCESS, simdjson::TAPE_ERROR;
    size_t i = 0;
    simdjson::error_code e;
    if (tops_ && top_depth_ == 0) Open(i);
    switch (At(i)) {
      case '{':
        goto object_begin;
      case '[':
        goto array_begin;
      default:
        if ((e = ValueError(i))) return e;
        if (tops_ && top_depth_ == 0) tops_->values.back().end = End(i);
        ++i;
        goto document_end;
    }

  object_begin:
    if (depth_ == kMaxDepth) return DEPTH_ERROR;
    closer_[depth_++] = '}';
    if (At(++i) == '}') goto scope_end;
  object_field:
    if (At(i) != '"') return TAPE_ERROR;
    if ((e = StringError(i))) return e;
    if (tops_ && depth_ == top_depth_ + 1) CheckKey(i);
    if (At(++i) != ':') return TAPE_ERROR;
    switch (At(++i)) {
      case '{':
        goto object_begin;
      case '[':
        goto array_begin;
      default:
        if ((e = ValueError(i))) return e;
    }
  object_continue:
    switch (At(++i)) {
      case ',':
        ++i;
        goto object_field;
      case '}':
        goto scope_end;
      default:
        return TAPE_ERROR;
    }

  array_begin:
    if (depth_ == kMaxDepth) return DEPTH_ERROR;
    closer_[depth_++] = ']';
    if (At(++i) == ']') goto scope_end;
  array_value:
    if (tops_ && depth_ == top_depth_) Open(i);
    switch (At(i)) {
      case '{':
        goto object_begin;
      case '[':
        goto array_begin;
      default:
        if ((e = ValueError(i))) return e;
    }
    if (tops_ && depth_ == top_depth_) tops_->values.back().end = End(i);
  array_continue:
    switch (At(++i)) {
      case ',':
        ++i;
        goto array_value;
      case ']':
        goto scope_end;
      default:
        return TAPE_ERROR;
    }

  scope_end:  // at the '}' or ']' that closes the innermost container
    if (--depth_ == top_depth_ && tops_) tops_->values.back().end = index_[i] + 1;
    if (depth_ == 0) {
      ++i;
      goto document_end;
    }
    if (closer_[depth_ - 1] == '}') goto object_continue;
    goto array_continue;

  document_end:
    return i == n_ ? SUCCESS : simdjson::TRAILING_CONTENT;
  }

 private:
  // The token of the structural i: through its last byte before the next that is not space.
  std::string_view Token(size_t i) const { return json_.substr(index_[i], End(i) - index_[i]); }
  uint32_t End(size_t i) const {
    size_t start = index_[i], end = i + 1 < n_ ? index_[i + 1] : json_.size();
    while (end > start && IsJsonSpace(json_[end - 1])) --end;
    return static_cast<uint32_t>(end);
  }

  // The character of the structural i; '\0' past the last.
  char At(size_t i) const { return i < n_ ? json_[index_[i]] : '\0'; }

  simdjson::error_code StringError(size_t i) const {
    return !escapes_ || EscapesValid(Token(i)) ? simdjson::SUCCESS : simdjson::STRING_ERROR;
  }

  // For the structural i, where a value is expected and it is not a container. Most values
  // are strings in a text without escapes, valid as stage 1 left them: decided here, inline.
  [[gnu::always_inline]] simdjson::error_code ValueError(size_t i) const {
    if (!escapes_ && At(i) == '"') return simdjson::SUCCESS;
    return ScalarError(i);
  }

  simdjson::error_code ScalarError(size_t i) const {
    switch (At(i)) {
      case '"':
        return StringError(i);
      case 't':
        return Token(i) == "true" ? simdjson::SUCCESS : simdjson::T_ATOM_ERROR;
      case 'f':
        return Token(i) == "false" ? simdjson::SUCCESS : simdjson::F_ATOM_ERROR;
      case 'n':
        return Token(i) == "null" ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        return IsNumber(json_.data() + index_[i], json_.data() + End(i)) ? simdjson::SUCCESS
                                                                         : simdjson::NUMBER_ERROR;
      default:  // a stray '}', ']', ',' or ':', anything else, or nothing at all
        return simdjson::TAPE_ERROR;
    }
  }

  void Open(size_t i) {
    tops_->values.push_back({index_[i], index_[i], static_cast<uint32_t>(i), At(i) == '{', false});
  }

  void CheckKey(size_t i) {
    std::string_view token = Token(i), key = tops_->key;
    if (token.size() == key.size() + 2 && token.substr(1, key.size()) == key)
      tops_->values.back().has_key = true;
  }

  std::string_view json_;
  const uint32_t* index_;
  size_t n_;
  bool escapes_;  // the text holds a backslash: strings must be checked for escapes
  JsonTops* tops_;
  int top_depth_ = 0;
  int depth_ = 0;
  std::array<char, kMaxDepth> closer_;  // per open container: '}' or ']'
};

}  // namespace

simdjson::error_code ParseJsonDom(std::string_view json, simdjson::dom::element& out) {
  return DomParser().parse(json.data(), json.size(), /*realloc_if_needed=*/false).get(out);
}

simdjson::error_code IndexJson(std::string_view json, JsonTops* tops) {
  simdjson::dom::parser& parser = DomParser();
  if (json.size() > parser.capacity()) {
    if (auto e = parser.allocate(json.size(), kMaxDepth)) return e;
  }
  // simdjson keeps stage 1's index in its parser implementation, public "for benchmarking".
  auto& stage1 = *parser.implementation;
  if (auto e = stage1.stage1(reinterpret_cast<const uint8_t*>(json.data()), json.size(),
                             simdjson::stage1_mode::regular))
    return e;
  bool escapes = std::memchr(json.data(), '\\', json.size()) != nullptr;
  return IndexWalk(json, stage1.structural_indexes.get(), stage1.n_structural_indexes, escapes,
                   tops)
      .Walk();
}

JsonStructureCursor::JsonStructureCursor(std::string_view json, size_t structural)
    : base_(json.data()),
      size_(json.size()),
      index_(DomParser().implementation->structural_indexes.get()),
      n_(DomParser().implementation->n_structural_indexes),
      at_(structural) {}

std::string_view JsonStructureCursor::TakeValue() {
  if (at_ >= n_) return {};
  size_t start = index_[at_], end;
  char c = base_[start];
  if (c == '{' || c == '[') {
    static constexpr auto kDepth = [] {
      std::array<int8_t, 256> d{};
      d['{'] = d['['] = 1;
      d['}'] = d[']'] = -1;
      return d;
    }();
    int depth = 0;
    do {
      depth += kDepth[static_cast<unsigned char>(base_[index_[at_++]])];
    } while (depth > 0 && at_ < n_);
    end = index_[at_ - 1] + 1;
  } else {  // a scalar ends where the next structural begins, less the space between
    end = ++at_ < n_ ? index_[at_] : size_;
    while (end > start && IsJsonSpace(base_[end - 1])) --end;
  }
  return {base_ + start, end - start};
}

bool JsonStructureCursor::NextKey(std::string_view& key) {
  if (current() == ',') ++at_;
  if (current() != '"') {
    ++at_;  // past the '}'
    return false;
  }
  key = TakeValue();
  key = key.substr(1, key.size() - 2);
  ++at_;  // past the ':'
  return true;
}

bool JsonStructureCursor::NextMember(std::string_view& key, std::string_view& value) {
  if (!NextKey(key)) return false;
  value = TakeValue();
  return true;
}

}  // namespace tributary
