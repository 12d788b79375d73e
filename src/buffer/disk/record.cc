#include "buffer/disk/record.h"

#include <cstring>

#include "format/encoder.h"
#include "format/event_parser.h"
#include "format/json_text.h"

namespace tributary {
namespace {

template <typename T>
void Put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little endian on every platform we build for
  out.append(b, sizeof(T));
}

template <typename T>
bool Get(std::string_view& in, T* v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderSize = 1 + sizeof(int64_t) + sizeof(uint32_t);
constexpr size_t kEntrySize = sizeof(uint64_t) + sizeof(uint32_t);

}  // namespace

void EncodeRecord(const EventBatch& batch, std::span<const SinkMask> slot_masks, std::string& out,
                  std::vector<uint32_t>& sizes) {
  sizes.clear();
  uint32_t count = 0;
  size_t estimate = kHeaderSize;
  for (size_t i = 0; i < slot_masks.size(); ++i) {
    if (slot_masks[i] == 0) continue;
    ++count;
    // The event as it came, and room for the attributes written around it: one allocation
    // for the record, not one per doubling.
    estimate += kEntrySize + batch.events()[i].size + 320;
  }
  out.reserve(out.size() + estimate);
  Put(out, kVersion);
  Put(out, static_cast<int64_t>(batch.received_ns));
  Put(out, count);
  size_t table = out.size();
  out.resize(table + count * kEntrySize);
  size_t entry = table;
  for (size_t i = 0; i < slot_masks.size(); ++i) {
    if (slot_masks[i] == 0) continue;
    size_t start = out.size();
    AppendEventJson(batch, batch.events()[i], out);
    out.push_back('\n');
    uint32_t len = static_cast<uint32_t>(out.size() - start);
    uint64_t mask = slot_masks[i];
    std::memcpy(&out[entry], &mask, sizeof mask);
    std::memcpy(&out[entry + sizeof mask], &len, sizeof len);
    entry += kEntrySize;
    sizes.push_back(len - 1);  // the event's JSON, as Event::size counts it when read back
  }
}

void ClearSlots(std::string& payload, SinkMask slots) {
  uint32_t count = 0;
  std::memcpy(&count, payload.data() + kHeaderSize - sizeof count, sizeof count);
  for (uint32_t i = 0; i < count; ++i) {
    char* at = payload.data() + kHeaderSize + i * kEntrySize;
    SinkMask m;
    std::memcpy(&m, at, sizeof m);
    m &= ~slots;
    std::memcpy(at, &m, sizeof m);
  }
}

namespace {

// `whole`, if given, holds exactly `in`, and may be taken instead of copied.
Result<DecodedRecord> Decode(std::string_view in, bool attributes, std::string* whole) {
  const char* const start = in.data();
  uint8_t version = 0;
  uint32_t count = 0;
  DecodedRecord r;
  if (!Get(in, &version) || version != kVersion || !Get(in, &r.received_ns) || !Get(in, &count) ||
      in.size() < static_cast<size_t>(count) * kEntrySize) {
    return InvalidArgument("record header is damaged");
  }
  r.masks.resize(count);
  std::vector<uint32_t> lengths(count);
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    Get(in, &r.masks[i]);
    Get(in, &lengths[i]);
    total += lengths[i];
  }
  if (total != in.size()) return InvalidArgument("record lengths do not match its size");
  size_t end = 0;
  for (uint32_t len : lengths) {
    end += len;
    if (len < 2 || in[end - 1] != '\n')
      return InvalidArgument("record lengths do not match its lines");
  }
  std::string json;
  size_t lines = 0;  // where the events start in json
  if (whole && !attributes) {
    // Nothing parses it: the events are views into the record as it is, header and all.
    lines = static_cast<size_t>(in.data() - start);
    json = std::move(*whole);
  } else {
    json.reserve(in.size() + simdjson::SIMDJSON_PADDING);  // one copy, padded for the parser
    json.assign(in);
  }
  r.batch = std::make_shared<EventBatch>(std::move(json));
  r.batch->received_ns = r.received_ns;
  if (attributes) {
    static const JsonMapping kMapping;
    ParseOptions opts;
    opts.mapping = &kMapping;
    opts.max_event_bytes = UINT32_MAX;
    opts.trusted = true;  // checksummed, and validated when it came in
    std::vector<EventError> errors;
    r.batch->events().reserve(count);
    Status st = ParseEvents(BodyFormat::kNdjson, *r.batch, opts, errors);
    if (!st.ok()) return InvalidArgument("record events do not parse: " + st.message());
    if (r.batch->size() != count) return InvalidArgument("record event count does not match");
  } else {
    r.batch->events().resize(count);
  }
  // Each line is the event exactly as the encoders would write it: let them copy it.
  const char* line = r.batch->input().data() + lines;
  for (uint32_t i = 0; i < count; ++i) {
    Event& e = r.batch->events()[i];
    e.json = {line, lengths[i] - 1};  // without its '\n'
    e.size = lengths[i] - 1;
    line += lengths[i];
  }
  return r;
}

}  // namespace

Result<DecodedRecord> DecodeRecord(std::string_view payload, bool attributes) {
  return Decode(payload, attributes, nullptr);
}

Result<DecodedRecord> DecodeRecord(std::string&& payload, bool attributes) {
  return Decode(payload, attributes, &payload);
}

}  // namespace tributary
