#include "format/encoder.h"

#include "format/json_text.h"

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
  std::string_view content_type() const override { return "application/x-ndjson"; }
  size_t trailer_size() const override { return 0; }
  void Begin(std::string&) const override {}
  void Append(const EventBatch& batch, const Event& event, bool, std::string& out) const override {
    AppendEventJson(batch, event, out);
    out.push_back('\n');
  }
  void Finish(std::string&) const override {}
};

class CloudEventsBatchEncoder final : public Encoder {
 public:
  std::string_view content_type() const override { return "application/cloudevents-batch+json"; }
  size_t trailer_size() const override { return 1; }
  void Begin(std::string& out) const override { out.push_back('['); }
  void Append(const EventBatch& batch, const Event& event, bool first,
              std::string& out) const override {
    if (!first) out.push_back(',');
    AppendEventJson(batch, event, out);
  }
  void Finish(std::string& out) const override { out.push_back(']'); }
};

}  // namespace

void AppendEventJson(const EventBatch& batch, const Event& e, std::string& out) {
  out.append("{\"specversion\":");
  AppendJsonString(out, e.specversion);
  AppendAttr(out, "id", e.id);
  AppendAttr(out, "source", e.source);
  AppendAttr(out, "type", e.type);
  AppendAttr(out, "datacontenttype", e.datacontenttype);
  AppendAttr(out, "dataschema", e.dataschema);
  AppendAttr(out, "subject", e.subject);
  AppendAttr(out, "time", e.time);
  for (const Attribute& a : batch.Extensions(e)) {
    if (a.kind == AttrKind::kString) {
      AppendAttr(out, a.name, a.value);
    } else {
      out.append(",\"");
      out.append(a.name);
      out.append("\":");
      out.append(a.value);
    }
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

std::unique_ptr<Encoder> MakeEncoder(Encoding encoding) {
  switch (encoding) {
    case Encoding::kNdjson:
      return std::make_unique<NdjsonEncoder>();
    case Encoding::kCloudEventsBatch:
      return std::make_unique<CloudEventsBatchEncoder>();
  }
  return nullptr;
}

}  // namespace tributary
