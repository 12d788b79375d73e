#pragma once
// Encoders write events into a batch body. The original bytes of `data` are written back
// unchanged; attributes are written from their views. An encoder is stateless and shared.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace tributary {

class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual std::string_view content_type() const = 0;
  // Bytes Finish will add; the batcher counts them against max_bytes.
  virtual size_t trailer_size() const = 0;
  virtual void Begin(std::string& out) const = 0;
  // `first` is true for the first event of the batch.
  virtual void Append(const EventBatch& batch, const Event& event, bool first,
                      std::string& out) const = 0;
  virtual void Finish(std::string& out) const = 0;
};

enum class Encoding { kNdjson, kCloudEventsBatch };

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

Result<Encoding> ParseEncoding(std::string_view name);
std::unique_ptr<Encoder> MakeEncoder(Encoding encoding, Enrichment enrichment = {});

// Writes one event as a compact structured-mode CloudEvents JSON object. Line breaks in
// the insignificant whitespace of `data` become spaces so that the object is one line
// (the only change ever made to data bytes; JSON strings cannot contain raw line breaks).
void AppendEventJson(const EventBatch& batch, const Event& event, std::string& out,
                     const Enrichment* enrichment = nullptr);

// Expands a source template for one event; unknown attributes expand to "".
std::string ExpandSourceTemplate(std::string_view tmpl, const EventBatch& batch, const Event& event,
                                 const Enrichment& enrichment);

}  // namespace tributary
