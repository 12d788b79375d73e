#include "format/json_text.h"

#include <cstring>

namespace tributary {
namespace {

std::string_view ErrorText(simdjson::error_code e) { return simdjson::error_message(e); }

// A view into the input if the raw token holds exactly `unescaped` between quotes.
std::string_view StableView(const char* raw_start, std::string_view unescaped, Arena& arena) {
  if (std::memcmp(raw_start, unescaped.data(), unescaped.size()) == 0 &&
      raw_start[unescaped.size()] == '"') {
    return {raw_start, unescaped.size()};
  }
  return arena.Copy(unescaped);
}

bool HasControlChar(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20) return true;
  }
  return false;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the current run of characters that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

std::string_view TrimJsonSpace(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

Result<std::string_view> ReadJsonString(ondemand::value& v, Arena& arena) {
  std::string_view token = v.raw_json_token();
  std::string_view s;
  if (auto e = v.get_string().get(s)) {
    return InvalidArgument(e == simdjson::INCORRECT_TYPE ? "must be a string"
                                                         : std::string(ErrorText(e)));
  }
  if (HasControlChar(s) && token.find('\\') == std::string_view::npos) {
    return InvalidArgument("string contains an unescaped control character");
  }
  return StableView(token.data() + 1, s, arena);
}

Result<std::string_view> ReadJsonKey(ondemand::field& f, Arena& arena) {
  const char* raw = f.key().raw();
  std::string_view k;
  if (auto e = f.unescaped_key().get(k)) return InvalidArgument(std::string(ErrorText(e)));
  return StableView(raw, k, arena);
}

Result<std::string_view> RawJsonValue(ondemand::value& v) {
  ondemand::json_type t;
  if (auto e = v.type().get(t)) return InvalidArgument(std::string(ErrorText(e)));
  std::string_view raw;
  simdjson::error_code e = simdjson::SUCCESS;
  if (t == ondemand::json_type::object) {
    ondemand::object obj;
    if (!(e = v.get_object().get(obj))) e = obj.raw_json().get(raw);
  } else if (t == ondemand::json_type::array) {
    ondemand::array arr;
    if (!(e = v.get_array().get(arr))) e = arr.raw_json().get(raw);
  } else {
    raw = v.raw_json_token();
  }
  if (e) return InvalidArgument(std::string(ErrorText(e)));
  return TrimJsonSpace(raw);
}

Status ValidateJsonValue(ondemand::value v, int depth) {
  if (depth > 128) return InvalidArgument("JSON nested deeper than 128 levels");
  ondemand::json_type t;
  if (auto e = v.type().get(t)) return InvalidArgument(std::string(ErrorText(e)));
  simdjson::error_code e = simdjson::SUCCESS;
  switch (t) {
    case ondemand::json_type::object: {
      ondemand::object obj;
      if ((e = v.get_object().get(obj))) break;
      for (auto f : obj) {
        ondemand::field field;
        if ((e = std::move(f).get(field))) break;
        // A key without escapes needs no unescaping to be checked (stage 1 found its end).
        const char* k = field.key().raw();
        bool escaped = false, control = false;
        for (; *k != '"'; ++k) {
          if (*k == '\\') {
            escaped = true;
            break;
          }
          control |= static_cast<unsigned char>(*k) < 0x20;
        }
        std::string_view key;
        if (escaped) {
          if ((e = field.unescaped_key().get(key))) break;
        } else if (control) {
          return InvalidArgument("string contains an unescaped control character");
        }
        ondemand::value child = field.value();
        TRIBUTARY_RETURN_IF_ERROR(ValidateJsonValue(child, depth + 1));
      }
      break;
    }
    case ondemand::json_type::array: {
      ondemand::array arr;
      if ((e = v.get_array().get(arr))) break;
      for (auto el : arr) {
        ondemand::value child;
        if ((e = std::move(el).get(child))) break;
        TRIBUTARY_RETURN_IF_ERROR(ValidateJsonValue(child, depth + 1));
      }
      break;
    }
    case ondemand::json_type::string: {
      // Only escapes need decoding to be checked; a string without any is checked as it is.
      std::string_view token = v.raw_json_token(), s;
      if (token.find('\\') != std::string_view::npos) {
        e = v.get_string().get(s);
      } else if (HasControlChar(token)) {
        return InvalidArgument("string contains an unescaped control character");
      }
      break;
    }
    case ondemand::json_type::number: {
      if (!IsJsonNumber(TrimJsonSpace(v.raw_json_token()))) e = simdjson::NUMBER_ERROR;
      break;
    }
    case ondemand::json_type::boolean: {
      bool b;
      e = v.get_bool().get(b);
      break;
    }
    case ondemand::json_type::null: {
      bool is_null = false;
      if (!(e = v.is_null().get(is_null)) && !is_null) e = simdjson::N_ATOM_ERROR;
      break;
    }
  }
  if (e) return InvalidArgument("invalid JSON: " + std::string(ErrorText(e)));
  return Status::Ok();
}

bool AppendJsonStringText(std::string_view literal, std::string& out) {
  simdjson::padded_string padded(literal);  // the literal may not be followed by padding
  thread_local ondemand::parser parser;
  ondemand::document doc;
  std::string_view text;
  if (parser.iterate(padded).get(doc) || doc.get_string().get(text)) return false;
  out.append(text);
  return true;
}

Status ValidateJsonDocument(std::string_view json) {
  thread_local ondemand::parser parser;
  ondemand::document doc;
  if (auto e = parser.iterate(json.data(), json.size(), json.size() + simdjson::SIMDJSON_PADDING)
                   .get(doc)) {
    return InvalidArgument("invalid JSON: " + std::string(ErrorText(e)));
  }
  ondemand::value v;
  bool scalar = false;
  if (auto e = doc.is_scalar().get(scalar))
    return InvalidArgument("invalid JSON: " + std::string(ErrorText(e)));
  if (scalar) {
    // A scalar document cannot be taken as a value; validate by type.
    ondemand::json_type t;
    if (auto e = doc.type().get(t))
      return InvalidArgument("invalid JSON: " + std::string(ErrorText(e)));
    simdjson::error_code e = simdjson::SUCCESS;
    if (t == ondemand::json_type::string) {
      std::string_view s;
      e = doc.get_string().get(s);
    } else if (t == ondemand::json_type::number) {
      std::string_view token;
      if (!(e = doc.raw_json_token().get(token)) && !IsJsonNumber(TrimJsonSpace(token)))
        e = simdjson::NUMBER_ERROR;
    } else if (t == ondemand::json_type::boolean) {
      bool b;
      e = doc.get_bool().get(b);
    } else {
      bool n = false;
      if (!(e = doc.is_null().get(n)) && !n) e = simdjson::N_ATOM_ERROR;
    }
    if (e) return InvalidArgument("invalid JSON: " + std::string(ErrorText(e)));
    return Status::Ok();
  }
  if (auto e = doc.get_value().get(v))
    return InvalidArgument("invalid JSON: " + std::string(ErrorText(e)));
  TRIBUTARY_RETURN_IF_ERROR(ValidateJsonValue(v));
  if (!AtEnd(doc)) return InvalidArgument("invalid JSON: trailing content after the value");
  return Status::Ok();
}

}  // namespace tributary
