#pragma once
// Encoders write events into a batch body. The original bytes of `data` are written back
// unchanged; attributes are written from their views. An encoder is stateless and shared.
//
// Batch encodings (NDJSON, CloudEvents batch) put many events in one body. Single-event
// encodings put one event in a message: structured mode (the event as a JSON object) or
// binary mode (the body is `data`; the attributes travel beside it, and each protocol
// binding writes them as its headers: `ce-` percent-encoded for HTTP, `ce_` for Kafka).

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace tributary {

// What travels beside a message's body.
struct MessageMeta {
  std::string content_type;  // empty = none (binary mode, event without data)
  // Binary mode only: context attributes as (name, value), names without a prefix and
  // values unencoded. `datacontenttype` is the content type instead.
  std::vector<std::pair<std::string, std::string>> attributes;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  // One event per message: the sink's batches hold a single event.
  virtual bool single_event() const { return false; }
  // False if the encoder needs no more of an event than Event::json, when that is set
  // (no per-sink enrichment, not binary mode).
  virtual bool needs_attributes() const = 0;
  // Fills `out` for a message whose (first) event is `event`.
  virtual void Describe(const EventBatch& batch, const Event& event, MessageMeta& out) const = 0;
  // Bytes Finish will add; the batcher counts them against max_bytes.
  virtual size_t trailer_size() const { return 0; }
  virtual void Begin(std::string& /*out*/) const {}
  // `first` is true for the first event of the batch.
  virtual void Append(const EventBatch& batch, const Event& event, bool first,
                      std::string& out) const = 0;
  virtual void Finish(std::string& /*out*/) const {}
  // The bytes Append would write for `event` when they are at hand in its input (an event
  // read back from the disk queue, followed there by its newline): a sink that writes a
  // batch as pieces takes this view instead of a copy. Empty when they are not. An encoder
  // that lends writes nothing in Begin and Finish.
  virtual std::string_view Lend(const EventBatch& /*batch*/, const Event& /*event*/) const {
    return {};
  }
};

enum class Encoding { kNdjson, kCloudEventsBatch, kCloudEvents, kCloudEventsBinary };

// Per-sink additions made while encoding (events are shared between sinks, so they are
// never changed in place): extension attributes to set, and a `source` built from a
// template such as "filter://{pipelineid}/{filtername}/{topic}" whose placeholders name
// attributes (the extensions above included). The template applies to events without a
// source, or to all when `override_source` is set.
struct Enrichment {
  std::vector<std::pair<std::string, std::string>> extensions;
  std::string source_template;
  bool override_source = false;

  bool empty() const { return extensions.empty() && source_template.empty(); }
};

// "ndjson", "cloudevents-batch", "cloudevents" (structured) or "cloudevents-binary".
Result<Encoding> ParseEncoding(std::string_view name);
std::unique_ptr<Encoder> MakeEncoder(Encoding encoding, Enrichment enrichment = {});

// Writes one event as a compact structured-mode CloudEvents JSON object. Line breaks in
// the insignificant whitespace of `data` become spaces so that the object is one line
// (the only change ever made to data bytes; JSON strings cannot contain raw line breaks).
void AppendEventJson(const EventBatch& batch, const Event& event, std::string& out,
                     const Enrichment* enrichment = nullptr);

// Calls fn(name, value, kind) for each context attribute of `event` as a sink with
// `enrichment` sends it: the required and optional attributes in spec order, then the
// extensions (the sink's own replacing the event's). `data` is not an attribute.
template <typename Fn>
void ForEachAttribute(const EventBatch& batch, const Event& event, const Enrichment* enrichment,
                      Fn&& fn);

// The content type of `event`'s data in binary mode: its datacontenttype, else what its
// data is (JSON, or bytes from data_base64); empty without data.
std::string_view BinaryContentType(const Event& event);

// Attribute `name` of `event` as a sink with `enrichment` (may be null) sends it: the sink's
// own extension if it sets one, else the event's. False if absent.
bool LookupSentAttribute(const EventBatch& batch, const Event& event, const Enrichment* enrichment,
                         std::string_view name, std::string_view* value);

// Expands a source template for one event; unknown attributes expand to "".
std::string ExpandSourceTemplate(std::string_view tmpl, const EventBatch& batch, const Event& event,
                                 const Enrichment& enrichment);

template <typename Fn>
void ForEachAttribute(const EventBatch& batch, const Event& e, const Enrichment* en, Fn&& fn) {
  auto str = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) fn(name, value, AttrKind::kString);
  };
  str("specversion", e.specversion);
  str("id", e.id);
  if (en && !en->source_template.empty() && (en->override_source || e.source.empty())) {
    str("source", ExpandSourceTemplate(en->source_template, batch, e, *en));
  } else {
    str("source", e.source);
  }
  str("type", e.type);
  str("datacontenttype", e.datacontenttype);
  str("dataschema", e.dataschema);
  str("subject", e.subject);
  str("time", e.time);
  for (const Attribute& a : batch.Extensions(e)) {
    bool replaced = false;
    if (en) {
      for (const auto& [k, v] : en->extensions) replaced |= k == a.name;
    }
    if (!replaced) fn(a.name, a.value, a.kind);  // else the sink's value wins
  }
  if (en) {
    for (const auto& [k, v] : en->extensions) str(k, v);
  }
}

}  // namespace tributary
