#include "format/kafka_binding.h"

namespace tributary {

Status DecodeKafkaRecord(const KafkaRecordView& r, EventBatch& batch, const ParseOptions& opts,
                         std::vector<EventError>& errors) {
  const size_t first = batch.size();
  std::string_view content_type;
  bool binary = false;
  for (const HeaderField& h : r.headers) {
    if (IEquals(h.name, "content-type")) content_type = h.value;
    binary |= IEquals(h.name, "ce_specversion");
  }
  Status st;
  if (binary) {
    st = ParseBinaryEvent(r.headers, kKafkaBinary, r.value, batch, opts, errors);
  } else if (r.value.empty()) {
    errors.push_back({0, "", "the record has no value and no ce_ headers: it is not an event"});
    st = InvalidArgument(errors.back().message);
  } else {
    std::string buf;
    std::string_view media_type = NormalizeMediaType(content_type, buf);
    BodyFormat format = media_type == "application/cloudevents+json" ? BodyFormat::kStructured
                        : media_type == "application/cloudevents-batch+json" ? BodyFormat::kBatch
                                                                             : BodyFormat::kJson;
    st = ParseEvents(format, r.value, batch, opts, errors);
  }
  if (!st.ok()) {
    batch.events().resize(first);  // their extensions and arena bytes are merely unused
    return st;
  }
  for (size_t i = first; i < batch.size(); ++i) {
    Event& e = batch.events()[i];
    if (e.topic.empty() && !r.topic.empty()) batch.SetExtension(e, "topic", r.topic);
    if (!r.key.empty() && !batch.FindExtension(e, "partitionkey"))
      batch.SetExtension(e, "partitionkey", r.key);
  }
  return Status::Ok();
}

}  // namespace tributary
