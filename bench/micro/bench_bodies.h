#pragma once
// Bodies for the micro benchmarks: the same ~310-byte detections as bench/e2e/bodies.py.

#include <cstdio>
#include <memory>
#include <string>

#include "format/event_parser.h"
#include "format/json_text.h"

namespace tributary::bench {

inline std::string PlainEvent(int i) {
  char head[256];
  int n = std::snprintf(head, sizeof head,
                        R"({"ts":"2026-11-23T08:00:%02d.%03dZ","camera":"cam-%02d",)"
                        R"("pipeline":"people-counter","label":"person","score":0.97,)"
                        R"("box":[12,40,220,380],"frame":%d,"track":%d,"note":")",
                        i % 60, i % 1000, i % 16, 100000 + i, 4711 + i % 97);
  std::string e(head, static_cast<size_t>(n));
  e.append(310 - e.size() - 2, 'x');
  return e + "\"}";
}

inline std::string CloudEvent(int i) {
  char head[256];
  int n = std::snprintf(head, sizeof head,
                        R"({"specversion":"1.0","id":"evt-%08d","source":"/cams/%02d",)"
                        R"("type":"vision.detection","time":"2026-11-23T08:00:00Z",)"
                        R"("datacontenttype":"application/json","data":)",
                        i, i % 16);
  return std::string(head, static_cast<size_t>(n)) + PlainEvent(i) + "}";
}

// A JSON array of `n` events made by `make`.
template <typename Make>
std::string Array(int n, Make make) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + make(i);
  return s + "]";
}

// Parses `body` as `format` into a new batch (the way the HTTP source does).
inline std::shared_ptr<EventBatch> Parse(std::string body, BodyFormat format) {
  static const JsonMapping kMapping;
  EnsurePadding(body);
  auto batch = std::make_shared<EventBatch>(std::move(body));
  ParseOptions opts;
  opts.mapping = &kMapping;
  std::vector<EventError> errors;
  if (!ParseEvents(format, *batch, opts, errors).ok()) std::abort();
  return batch;
}

}  // namespace tributary::bench
