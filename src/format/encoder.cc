#include "format/encoder.h"

#include "format/json_text.h"
#include "routing/route_rule.h"

namespace tributary {
namespace {

void AppendAttr(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out.append(",\"");
  out.append(name);
  out.append("\":");
  AppendJsonString(out, value);
}

void AppendOneLine(std::string& out, std::string_view data) {
  size_t at = out.size();
  out.append(data);
  for (size_t i = at; i < out.size(); ++i) {
    if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
  }
}

class NdjsonEncoder final : public Encoder {
 public:
  explicit NdjsonEncoder(Enrichment e) : enrichment_(std::move(e)) {}
  std::string_view content_type() const override { return "application/x-ndjson"; }
  size_t trailer_size() const override { return 0; }
  void Begin(std::string&) const override {}
  void Append(const EventBatch& batch, const Event& event, bool, std::string& out) const override {
    AppendEventJson(batch, event, out, enrichment_.empty() ? nullptr : &enrichment_);
    out.push_back('\n');
  }
  void Finish(std::string&) const override {}

 private:
  const Enrichment enrichment_;
};

class CloudEventsBatchEncoder final : public Encoder {
 public:
  explicit CloudEventsBatchEncoder(Enrichment e) : enrichment_(std::move(e)) {}
  std::string_view content_type() const override { return "application/cloudevents-batch+json"; }
  size_t trailer_size() const override { return 1; }
  void Begin(std::string& out) const override { out.push_back('['); }
  void Append(const EventBatch& batch, const Event& event, bool first,
              std::string& out) const override {
    if (!first) out.push_back(',');
    AppendEventJson(batch, event, out, enrichment_.empty() ? nullptr : &enrichment_);
  }
  void Finish(std::string& out) const override { out.push_back(']'); }

 private:
  const Enrichment enrichment_;
};

}  // namespace

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
    std::string_view name = t.substr(open + 1, close - open - 1);
    bool found = false;
    for (const auto& [k, v] : en.extensions) {
      if (k == name) {
        out.append(v);
        found = true;
        break;
      }
    }
    std::string_view v;
    if (!found && LookupAttribute(batch, e, name, &v)) out.append(v);
    t.remove_prefix(close + 1);
  }
  return out;
}

void AppendEventJson(const EventBatch& batch, const Event& e, std::string& out,
                     const Enrichment* en) {
  out.append("{\"specversion\":");
  AppendJsonString(out, e.specversion);
  AppendAttr(out, "id", e.id);
  if (en && !en->source_template.empty() && (en->override_source || e.source.empty())) {
    AppendAttr(out, "source", ExpandSourceTemplate(en->source_template, batch, e, *en));
  } else {
    AppendAttr(out, "source", e.source);
  }
  AppendAttr(out, "type", e.type);
  AppendAttr(out, "datacontenttype", e.datacontenttype);
  AppendAttr(out, "dataschema", e.dataschema);
  AppendAttr(out, "subject", e.subject);
  AppendAttr(out, "time", e.time);
  for (const Attribute& a : batch.Extensions(e)) {
    bool replaced = false;
    if (en) {
      for (const auto& [k, v] : en->extensions) replaced |= k == a.name;
    }
    if (replaced) continue;  // the sink's value wins
    if (a.kind == AttrKind::kString) {
      AppendAttr(out, a.name, a.value);
    } else {
      out.append(",\"");
      out.append(a.name);
      out.append("\":");
      out.append(a.value);
    }
  }
  if (en) {
    for (const auto& [k, v] : en->extensions) AppendAttr(out, k, v);
  }
  if (e.data_kind == DataKind::kJson) {
    out.append(",\"data\":");
    AppendOneLine(out, e.data);
  } else if (e.data_kind == DataKind::kBase64) {
    out.append(",\"data_base64\":\"");
    out.append(e.data);
    out.push_back('"');
  }
  out.push_back('}');
}

Result<Encoding> ParseEncoding(std::string_view name) {
  if (name == "ndjson") return Encoding::kNdjson;
  if (name == "cloudevents-batch") return Encoding::kCloudEventsBatch;
  return InvalidArgument("unknown encoding '" + std::string(name) +
                         "'; use \"ndjson\" or \"cloudevents-batch\"");
}

std::unique_ptr<Encoder> MakeEncoder(Encoding encoding, Enrichment enrichment) {
  switch (encoding) {
    case Encoding::kNdjson:
      return std::make_unique<NdjsonEncoder>(std::move(enrichment));
    case Encoding::kCloudEventsBatch:
      return std::make_unique<CloudEventsBatchEncoder>(std::move(enrichment));
  }
  return nullptr;
}

}  // namespace tributary
