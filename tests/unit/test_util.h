#pragma once
// Helpers shared by unit tests.

#include <memory>
#include <string>

#include "format/encoder.h"
#include "format/event_parser.h"
#include "format/json_text.h"

namespace tributary::testing_util {

// Parses a CloudEvents batch (JSON array) into an EventBatch; fails the test on error.
inline std::shared_ptr<EventBatch> ParseBatch(std::string body) {
  EnsurePadding(body);
  auto batch = std::make_shared<EventBatch>(std::move(body));
  static const JsonMapping kMapping;
  ParseOptions opts;
  opts.mapping = &kMapping;
  std::vector<EventError> errors;
  Status st = ParseEvents(BodyFormat::kBatch, *batch, opts, errors);
  if (!st.ok()) throw std::runtime_error("test batch does not parse: " + st.message());
  return batch;
}

inline std::string MakeEvent(int id, const std::string& data = "1") {
  return R"({"specversion":"1.0","id":")" + std::to_string(id) +
         R"(","source":"/s","type":"t","data":)" + data + "}";
}

inline std::string MakeBatchBody(int n, const std::string& data = "1") {
  std::string s = "[";
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + MakeEvent(i, data);
  return s + "]";
}

// Encodes events [begin, end) of `batch` as one message body, as the batcher would.
inline std::string EncodeEvents(const Encoder& encoder, const EventBatch& batch, size_t begin = 0,
                                size_t end = SIZE_MAX) {
  std::string out;
  encoder.Begin(out);
  for (size_t i = begin; i < std::min(end, batch.size()); ++i)
    encoder.Append(batch, batch.events()[i], i == begin, out);
  encoder.Finish(out);
  return out;
}

}  // namespace tributary::testing_util
