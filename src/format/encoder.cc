#include "format/encoder.h"

#include <cassert>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "format/base64.h"
#include "format/event_parser.h"
#include "format/json_text.h"
#include "routing/route_rule.h"

namespace tributary {
namespace {

#if defined(__AVX2__)
// Turns the line breaks among the 32 bytes at `p` into spaces; rewriting bytes already
// done changes nothing, so chunks may overlap.
void SpaceLineBreaks32(char* p) {
  __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  __m256i breaks = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')),
                                   _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')));
  if (_mm256_testz_si256(breaks, breaks)) return;  // nearly always
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                      _mm256_blendv_epi8(v, _mm256_set1_epi8(' '), breaks));
}
#endif

// Makes the JSON text at [p, end) one line: line breaks can only be insignificant whitespace
// there (a JSON string cannot hold them raw), so they become spaces.
void MakeOneLine(char* p, char* end) {
  size_t n = static_cast<size_t>(end - p);
#if defined(__AVX2__)
  // One pass for both characters, 32 bytes at a time (two memchr passes were a sixth of
  // encoding an event).
  if (n >= 32) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) SpaceLineBreaks32(p + i);
    if (i < n) SpaceLineBreaks32(end - 32);
    return;
  }
#endif
  for (size_t i = 0; i < n; ++i) {
    if (p[i] == '\n' || p[i] == '\r') p[i] = ' ';
  }
}

char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// The event's data member, if any, and the closing brace.
void AppendDataAndClose(const Event& e, std::string& out) {
  if (e.data_kind == DataKind::kJson) {
    out.append(",\"data\":");
    size_t at = out.size();
    out.append(e.data);
    MakeOneLine(out.data() + at, out.data() + out.size());
  } else if (e.data_kind == DataKind::kBase64) {
    out.append(",\"data_base64\":\"");
    out.append(e.data);
    out.push_back('"');
  }
  out.push_back('}');
}

// AppendEventJson for any event: escapes what needs it, a capacity check per piece.
void AppendEventJsonEscaping(const EventBatch& batch, const Event& e, std::string& out,
                             const Enrichment* en) {
  char sep = '{';
  ForEachAttribute(batch, e, en, [&](std::string_view name, std::string_view value, AttrKind kind) {
    out.push_back(sep);
    sep = ',';
    out.push_back('"');
    out.append(name);
    out.append("\":");
    if (kind == AttrKind::kString) {
      AppendJsonString(out, value);
    } else {
      out.append(value);
    }
  });
  AppendDataAndClose(e, out);
}

// What the JSON encoders share: the sink's enrichment. Without one they need nothing of an
// event but its JSON, which AppendEventJson copies when the event carries it.
class JsonEncoder : public Encoder {
 public:
  explicit JsonEncoder(Enrichment e) : enrichment_(std::move(e)) {}
  bool needs_attributes() const override { return !enrichment_.empty(); }

 protected:
  const Enrichment* enrichment() const { return enrichment_.empty() ? nullptr : &enrichment_; }

 private:
  const Enrichment enrichment_;
};

class NdjsonEncoder final : public JsonEncoder {
 public:
  using JsonEncoder::JsonEncoder;
  void Describe(const EventBatch&, const Event&, MessageMeta& out) const override {
    out.content_type = "application/x-ndjson";
  }
  void Append(const EventBatch& batch, const Event& event, bool, std::string& out) const override {
    AppendEventJson(batch, event, out, enrichment());
    out.push_back('\n');
  }
  std::string_view Lend(const EventBatch&, const Event& event) const override {
    if (enrichment() || event.json.empty()) return {};
    return {event.json.data(), event.json.size() + 1};  // the newline after it
  }
};

class CloudEventsBatchEncoder final : public JsonEncoder {
 public:
  using JsonEncoder::JsonEncoder;
  void Describe(const EventBatch&, const Event&, MessageMeta& out) const override {
    out.content_type = "application/cloudevents-batch+json";
  }
  size_t trailer_size() const override { return 1; }
  void Begin(std::string& out) const override { out.push_back('['); }
  void Append(const EventBatch& batch, const Event& event, bool first,
              std::string& out) const override {
    if (!first) out.push_back(',');
    AppendEventJson(batch, event, out, enrichment());
  }
  void Finish(std::string& out) const override { out.push_back(']'); }
};

// Structured mode: the event as one JSON object.
class StructuredEncoder final : public JsonEncoder {
 public:
  using JsonEncoder::JsonEncoder;
  bool single_event() const override { return true; }
  void Describe(const EventBatch&, const Event&, MessageMeta& out) const override {
    out.content_type = "application/cloudevents+json; charset=utf-8";
  }
  void Append(const EventBatch& batch, const Event& event, bool, std::string& out) const override {
    AppendEventJson(batch, event, out, enrichment());
  }
};

// Binary mode: the body is the data itself, as the event's datacontenttype says.
class BinaryEncoder final : public JsonEncoder {
 public:
  using JsonEncoder::JsonEncoder;
  bool single_event() const override { return true; }
  bool needs_attributes() const override { return true; }
  void Describe(const EventBatch& batch, const Event& e, MessageMeta& out) const override {
    out.attributes.clear();
    ForEachAttribute(batch, e, enrichment(),
                     [&](std::string_view name, std::string_view value, AttrKind) {
                       if (name != "datacontenttype") out.attributes.emplace_back(name, value);
                     });
    out.content_type = BinaryContentType(e);
  }
  void Append(const EventBatch&, const Event& e, bool, std::string& out) const override {
    if (e.data_kind == DataKind::kBase64) {
      Base64Decode(e.data, &out);  // validated on the way in
    } else if (e.data_kind == DataKind::kJson) {
      // A JSON string with a non-JSON content type ("text/plain") is sent as its text;
      // JSON data goes as it is.
      std::string media_type;
      bool json_type = e.datacontenttype.empty() ||
                       IsJsonMediaType(NormalizeMediaType(e.datacontenttype, media_type));
      if (json_type || e.data.front() != '"' || !AppendJsonStringText(e.data, out))
        out.append(e.data);
    }
  }
};

}  // namespace

std::string_view BinaryContentType(const Event& e) {
  if (!e.datacontenttype.empty()) return e.datacontenttype;
  if (e.data_kind == DataKind::kJson) return "application/json";
  if (e.data_kind == DataKind::kBase64) return "application/octet-stream";
  return {};
}

bool LookupSentAttribute(const EventBatch& batch, const Event& e, const Enrichment* en,
                         std::string_view name, std::string_view* value) {
  if (en) {
    for (const auto& [k, v] : en->extensions) {
      if (k == name) {
        *value = v;
        return true;
      }
    }
  }
  return LookupAttribute(batch, e, name, value);
}

std::string ExpandSourceTemplate(std::string_view t, const EventBatch& batch, const Event& e,
                                 const Enrichment& en) {
  std::string out;
  while (!t.empty()) {
    size_t open = t.find('{'), close = open == std::string_view::npos ? open : t.find('}', open);
    if (close == std::string_view::npos) {
      out.append(t);
      break;
    }
    out.append(t.substr(0, open));
    std::string_view v;
    if (LookupSentAttribute(batch, e, &en, t.substr(open + 1, close - open - 1), &v)) out.append(v);
    t.remove_prefix(close + 1);
  }
  return out;
}

void AppendEventJson(const EventBatch& batch, const Event& e, std::string& out,
                     const Enrichment* en) {
  if (!en && !e.json.empty()) {
    out.append(e.json);
    return;
  }
  // An expanded source template is a new string per call: not worth sizing twice.
  if (en && !en->source_template.empty()) return AppendEventJsonEscaping(batch, e, out, en);
  // Attribute values almost never need escaping: then their size is known up front, and
  // they are written with one resize and plain copies instead of a capacity check (and a
  // reload of the string's pointers) per piece, then checked all at once: the text holds
  // no escape-worthy byte and no quote but those written around names and strings. This is
  // the encoding hot path.
  size_t size = 0;    // '{' takes the place of the first attribute's ','
  size_t quotes = 0;  // written
  ForEachAttribute(batch, e, en, [&](std::string_view name, std::string_view value, AttrKind kind) {
    bool quoted = kind == AttrKind::kString;
    size += name.size() + value.size() + (quoted ? 6 : 4);  // ,"name":"value"
    quotes += quoted ? 4 : 2;
  });
  size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  char sep = '{';
  ForEachAttribute(batch, e, en, [&](std::string_view name, std::string_view value, AttrKind kind) {
    *p++ = sep;
    sep = ',';
    *p++ = '"';
    p = Put(p, name);
    *p++ = '"';
    *p++ = ':';
    if (kind == AttrKind::kString) *p++ = '"';
    p = Put(p, value);
    if (kind == AttrKind::kString) *p++ = '"';
  });
  assert(p == out.data() + out.size());  // the size was exact
  if (CountQuotesUnlessEscapes({out.data() + at, size}) != quotes) {
    out.resize(at);
    return AppendEventJsonEscaping(batch, e, out, en);
  }
  AppendDataAndClose(e, out);
}

Result<Encoding> ParseEncoding(std::string_view name) {
  if (name == "ndjson") return Encoding::kNdjson;
  if (name == "cloudevents-batch") return Encoding::kCloudEventsBatch;
  if (name == "cloudevents") return Encoding::kCloudEvents;
  if (name == "cloudevents-binary") return Encoding::kCloudEventsBinary;
  return InvalidArgument("unknown encoding '" + std::string(name) +
                         "'; use \"ndjson\", \"cloudevents-batch\", \"cloudevents\" "
                         "(structured, one event per message) or \"cloudevents-binary\"");
}

std::unique_ptr<Encoder> MakeEncoder(Encoding encoding, Enrichment enrichment) {
  switch (encoding) {
    case Encoding::kNdjson:
      return std::make_unique<NdjsonEncoder>(std::move(enrichment));
    case Encoding::kCloudEventsBatch:
      return std::make_unique<CloudEventsBatchEncoder>(std::move(enrichment));
    case Encoding::kCloudEvents:
      return std::make_unique<StructuredEncoder>(std::move(enrichment));
    case Encoding::kCloudEventsBinary:
      return std::make_unique<BinaryEncoder>(std::move(enrichment));
  }
  return nullptr;
}

}  // namespace tributary
