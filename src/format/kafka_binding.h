#pragma once
// The CloudEvents Kafka protocol binding, consuming side: a record in binary mode (`ce_`
// headers, the value is `data`), in structured mode (`content-type:
// application/cloudevents+json`, the value is the event), or plain JSON mapped as over HTTP.
// The Kafka topic becomes the routing topic and the record key `partitionkey`, for events
// that do not name their own.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "format/event_parser.h"

namespace tributary {

struct KafkaRecordView {
  std::string_view topic;
  std::string_view key;
  std::string_view value;  // a part of the batch's input, padded for the parser
  std::span<const HeaderField> headers;
};

// Appends the events of one record to `batch`. On error nothing of the record stays in the
// batch and `errors` say why.
Status DecodeKafkaRecord(const KafkaRecordView& record, EventBatch& batch,
                         const ParseOptions& options, std::vector<EventError>& errors);

}  // namespace tributary
