#include "format/json_text.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "format/json_index.h"

#if defined(__AVX2__)
#include <immintrin.h>

// The on-demand code is compiled into ours: built for AVX2, it must be simdjson's AVX2 kind.
static_assert(SIMDJSON_CAN_ALWAYS_RUN_HASWELL, "add -mpclmul to the compile flags");
#endif

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

// The high bit of each byte of the 8 at `p` that a JSON string must escape: below 0x20, '"'
// or '\\'. Only bytes above a true hit can be flagged falsely, so the lowest flag is exact.
uint64_t EscapeFlags(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, 8);
  uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  return (((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
          ((backslash - kOnes) & ~backslash)) &
         kHigh;
}
size_t LowestFlagged(uint64_t flags) {
  static_assert(std::endian::native == std::endian::little, "the first byte is the lowest");
  return static_cast<size_t>(std::countr_zero(flags) >> 3);
}

#if defined(__AVX2__)
// A bit for each of the 16 or 32 bytes at `p` that is a quote, and one for each that is a
// backslash or a control character: together, what a JSON string must escape.
struct EscapeMasks {
  uint32_t quotes, others;
  uint32_t all() const { return quotes | others; }
};
EscapeMasks FindEscapes16(const char* p) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Unsigned c < 0x20 exactly when min(c, 0x1f) == c.
  __m128i others = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')),
                                _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
  return {static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')))),
          static_cast<uint32_t>(_mm_movemask_epi8(others))};
}
EscapeMasks FindEscapes32(const char* p) {
  __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  __m256i others =
      _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')),
                      _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v));
  return {static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')))),
          static_cast<uint32_t>(_mm256_movemask_epi8(others))};
}
#endif
}  // namespace

size_t FindJsonEscape(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
#if defined(__AVX2__)
  // Never reads outside `s`: a last, partial chunk is read as the chunk ending at the end,
  // whose bytes already checked are clean, so its lowest hit is still the first one.
  if (n >= 32) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
      if (uint32_t m = FindEscapes32(p + i).all())
        return i + static_cast<size_t>(std::countr_zero(m));
    }
    if (i == n) return n;
    uint32_t m = FindEscapes32(p + n - 32).all();
    return m ? n - 32 + static_cast<size_t>(std::countr_zero(m)) : n;
  }
  if (n >= 16) {
    if (uint32_t m = FindEscapes16(p).all()) return static_cast<size_t>(std::countr_zero(m));
    uint32_t m = FindEscapes16(p + n - 16).all();
    return m ? n - 16 + static_cast<size_t>(std::countr_zero(m)) : n;
  }
#endif
  if (n < 8) {
    // Bytes one by one: copying them into a word would cost a store-forwarding stall.
    for (size_t i = 0; i < n; ++i) {
      unsigned char c = static_cast<unsigned char>(p[i]);
      if (c < 0x20 || c == '"' || c == '\\') return i;
    }
    return n;
  }
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (auto flags = EscapeFlags(p + i)) return i + LowestFlagged(flags);
  }
  if (i == n) return i;
  // The rest as the last word, in the same way.
  i = n - 8;
  auto flags = EscapeFlags(p + i);
  return flags ? i + LowestFlagged(flags) : n;
}

size_t CountQuotesUnlessEscapes(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  size_t quotes = 0, i = 0;
#if defined(__AVX2__)
  // Per 32 bytes: quotes counted, anything else escape-worthy ends it. A last, partial chunk
  // is the chunk ending at the end, its bytes already counted shifted out.
  auto chunk = [&](const char* at, unsigned skip) {
    EscapeMasks m = FindEscapes32(at);
    quotes += static_cast<size_t>(std::popcount(m.quotes >> skip));
    return m.others == 0;
  };
  if (n >= 32) {
    for (; i + 32 <= n; i += 32) {
      if (!chunk(p + i, 0)) return SIZE_MAX;
    }
    if (i < n && !chunk(p + n - 32, static_cast<unsigned>(32 - (n - i)))) return SIZE_MAX;
    return quotes;
  }
#endif
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '\\') return SIZE_MAX;
    quotes += c == '"';
  }
  return quotes;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  for (size_t i = FindJsonEscape(s); i < s.size(); i = FindJsonEscape(s)) {
    out.append(s.data(), i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    s.remove_prefix(i + 1);
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
  out.append(s);
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

Result<std::string_view> ReadJsonString(ondemand::value& v, Arena& arena) {
  std::string_view token = v.raw_json_token();
  std::string_view s;
  if (auto e = v.get_string().get(s)) {
    return InvalidArgument(e == simdjson::INCORRECT_TYPE ? "must be a string"
                                                         : std::string(ErrorText(e)));
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
  if (auto e = IndexJson(json))
    return InvalidArgument("invalid JSON: " + std::string(ErrorText(e)));
  return Status::Ok();
}

}  // namespace tributary
