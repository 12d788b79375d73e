#include "format/event_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "core/time_util.h"
#include "core/uuid.h"
#include "format/base64.h"
#include "format/event_builder.h"
#include "format/json_index.h"
#include "format/json_text.h"
#include "format/percent.h"

namespace tributary {
namespace {

constexpr size_t kPad = simdjson::SIMDJSON_PADDING;

std::string JsonError(simdjson::error_code e) {
  return "invalid JSON: " + std::string(simdjson::error_message(e));
}

// Collects errors up to a limit; the first one decides the status code.
class Errors {
 public:
  Errors(std::vector<EventError>& out, size_t max) : out_(out), max_(max) {}
  void Add(size_t index, std::string attribute, std::string message) {
    if (out_.size() < max_) out_.push_back({index, std::move(attribute), std::move(message)});
  }
  bool full() const { return out_.size() >= max_; }
  bool any() const { return !out_.empty(); }

 private:
  std::vector<EventError>& out_;
  size_t max_;
};

struct Parsers {
  ondemand::parser outer;  // splits the body into events
  ondemand::parser event;  // parses one event
};
Parsers& ThreadParsers() {
  thread_local Parsers p;
  return p;
}

// The events of the body IndexJson last read on this thread, and which are CloudEvents.
JsonTops& EventTops() {
  thread_local JsonTops tops{.key = "specversion", .values = {}};
  return tops;
}

// What every reading of a structured CloudEvent checks of `data` and `data_base64`: each at
// most once, never both, and base64 that decodes.
class DataMembers {
 public:
  // Null if the member `name` ("data" or "data_base64") may be read; else why not.
  const char* Take(std::string_view name) {
    bool& seen = name == "data" ? data_ : base64_;
    if (seen) return "duplicate attribute";
    seen = true;
    return data_ && base64_ ? "data and data_base64 are mutually exclusive" : nullptr;
  }
  // Sets `text` as the event's data_base64; false if it is not base64 (unless `trusted`).
  static bool SetBase64(Event& ev, std::string_view text, bool trusted) {
    if (!trusted && !Base64Decode(text, nullptr)) return false;
    ev.data_kind = DataKind::kBase64;
    ev.data = text;
    return true;
  }
  static constexpr const char* kBadBase64 = "not valid base64 (RFC 4648, padded)";

 private:
  bool data_ = false, base64_ = false;
};

// Parses one structured CloudEvent (a JSON object) that is a view into the batch input.
// `json_checked`: the whole event is known to be valid JSON, so `data` is not validated again;
// `trusted` (the disk queue's own records) also skips the base64 check.
bool ParseCloudEvent(std::string_view raw, size_t index, EventBatch& batch, bool json_checked,
                     bool trusted, Errors& errors) {
  Arena& arena = batch.arena();
  Event& ev = batch.events().emplace_back();
  ev.size = static_cast<uint32_t>(raw.size());
  EventBuilder builder(batch, ev);
  auto fail = [&](std::string_view attr, std::string msg) {
    errors.Add(index, std::string(attr), std::move(msg));
    batch.events().pop_back();
    return false;
  };

  ondemand::document doc;
  ondemand::object obj;
  if (auto e = ThreadParsers().event.iterate(raw.data(), raw.size(), raw.size() + kPad).get(doc))
    return fail("", JsonError(e));
  if (doc.get_object().get(obj)) return fail("", "an event must be a JSON object");

  DataMembers data_members;
  for (auto f : obj) {
    ondemand::field field;
    if (auto e = std::move(f).get(field)) return fail("", JsonError(e));
    auto key = ReadJsonKey(field, arena);
    if (!key) return fail("", key.status().message());
    ondemand::value value = field.value();
    std::string_view name = *key;

    if (name == "data" || name == "data_base64") {
      if (const char* why = data_members.Take(name)) return fail(name, why);
      if (name == "data") {
        auto r = RawJsonValue(value);
        if (!r) return fail(name, r.status().message());
        if (*r == "null") continue;  // null means absent
        if (!json_checked) {
          Status st = ValidateJsonDocument(*r);
          if (!st.ok()) return fail(name, st.message());
        }
        ev.data_kind = DataKind::kJson;
        ev.data = *r;
      } else {
        bool is_null = false;
        if (!value.is_null().get(is_null) && is_null) continue;
        auto s = ReadJsonString(value, arena);
        if (!s) return fail(name, s.status().message());
        if (!DataMembers::SetBase64(ev, *s, trusted)) return fail(name, DataMembers::kBadBase64);
      }
      continue;
    }

    ondemand::json_type type;
    if (auto e = value.type().get(type)) return fail(name, JsonError(e));
    switch (type) {
      case ondemand::json_type::string: {
        auto s = ReadJsonString(value, arena);
        if (!s) return fail(name, s.status().message());
        if (!builder.Set(name, *s, AttrKind::kString))
          return fail(builder.error().attribute, builder.error().message);
        break;
      }
      case ondemand::json_type::number:
      case ondemand::json_type::boolean: {
        std::string_view token = TrimJsonSpace(value.raw_json_token());
        simdjson::error_code e;
        if (type == ondemand::json_type::number) {
          int64_t i;
          e = value.get_int64().get(i);
          if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE)
            return fail(name, "a numeric attribute must be an integer");
        } else {
          bool b;
          e = value.get_bool().get(b);
        }
        if (e) return fail(name, JsonError(e));
        if (!builder.Set(name, token,
                         type == ondemand::json_type::number ? AttrKind::kNumber : AttrKind::kBool))
          return fail(builder.error().attribute, builder.error().message);
        break;
      }
      case ondemand::json_type::null: {
        bool is_null = false;
        if (auto e = value.is_null().get(is_null); e || !is_null)
          return fail(name, "invalid JSON literal");
        break;  // JSON format §2.4: null is the same as absent
      }
      default:
        return fail(name, "attribute values must be strings, integers or booleans");
    }
  }
  if (!AtEnd(doc)) return fail("", "invalid JSON: trailing content after the event");
  if (!builder.Finish()) return fail(builder.error().attribute, builder.error().message);
  return true;
}

// What the DOM reading of one event came to.
enum class DomOutcome { kAdded, kRejected, kTakeWalk };

// The text of a JSON string from the DOM (`text`), as a view into the input when its raw
// literal `raw` (with quotes) has no escapes, which every escape would make longer.
std::string_view StableText(std::string_view raw, std::string_view text, Arena& arena) {
  if (raw.size() == text.size() + 2) return raw.substr(1, text.size());
  return arena.Copy(text);
}

// ParseCloudEvent over a DOM object that already validated the whole event, with `members`
// (at the event's '{') beside it for the exact bytes of each member. What only the walk reads
// exactly (numbers that are not 64-bit integers, base64 that is not a string) makes it
// return kTakeWalk, having added nothing.
DomOutcome DomCloudEvent(std::string_view raw, simdjson::dom::object obj,
                         JsonStructureCursor members, size_t index, EventBatch& batch, bool trusted,
                         Errors& errors) {
  Arena& arena = batch.arena();
  Event& ev = batch.events().emplace_back();
  ev.size = static_cast<uint32_t>(raw.size());
  EventBuilder builder(batch, ev);
  auto fail = [&](std::string_view attr, std::string msg) {
    errors.Add(index, std::string(attr), std::move(msg));
    batch.events().pop_back();
    return DomOutcome::kRejected;
  };
  auto take_walk = [&] {
    batch.events().pop_back();
    return DomOutcome::kTakeWalk;
  };

  members.Advance();
  DataMembers data_members;
  for (auto [dom_name, value] : obj) {
    std::string_view raw_name, text;
    if (!members.NextMember(raw_name, text)) return take_walk();  // not for valid JSON
    std::string_view name = raw_name.size() == dom_name.size() ? raw_name : arena.Copy(dom_name);
    if (name == "data" || name == "data_base64") {
      if (const char* why = data_members.Take(name)) return fail(name, why);
      if (value.is_null()) continue;  // null means absent
      if (name == "data") {
        ev.data_kind = DataKind::kJson;
        ev.data = text;
      } else {
        if (!value.is_string()) return take_walk();
        std::string_view b64 = StableText(text, value.get_string().value_unsafe(), arena);
        if (!DataMembers::SetBase64(ev, b64, trusted)) return fail(name, DataMembers::kBadBase64);
      }
      continue;
    }
    bool ok = true;
    switch (value.type()) {
      case simdjson::dom::element_type::STRING:
        ok = builder.Set(name, StableText(text, value.get_string().value_unsafe(), arena),
                         AttrKind::kString);
        break;
      case simdjson::dom::element_type::INT64:
        ok = builder.Set(name, text, AttrKind::kNumber);
        break;
      case simdjson::dom::element_type::BOOL:
        ok = builder.Set(name, text, AttrKind::kBool);
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;  // JSON format §2.4: null is the same as absent
      case simdjson::dom::element_type::ARRAY:
      case simdjson::dom::element_type::OBJECT:
        return fail(name, "attribute values must be strings, integers or booleans");
      default:
        return take_walk();
    }
    if (!ok) return fail(builder.error().attribute, builder.error().message);
  }
  if (!builder.Finish()) return fail(builder.error().attribute, builder.error().message);
  return DomOutcome::kAdded;
}

// The JSON paths of the mapped attributes (id, type, source, time, subject, topic), null
// where one is not mapped: worked out once per request.
struct MappedPaths {
  explicit MappedPaths(const JsonMapping* m) {
    if (!m) return;
    const std::string* all[] = {&m->id, &m->type, &m->source, &m->time, &m->subject, &m->topic};
    for (size_t i = 0; i < paths.size(); ++i) {
      paths[i] = all[i]->empty() ? nullptr : all[i];
      any |= paths[i] != nullptr;
    }
  }
  std::array<const std::string*, 6> paths{};
  bool any = false;
};

// The values of the mapped fields of a plain JSON object, as they are found.
struct Capture {
  explicit Capture(const MappedPaths& m) : mapped(&m) {}
  const MappedPaths* mapped;
  std::array<std::string_view, 6> path_values{};  // in the order of MappedPaths::paths
};

// Captures the mapped fields of a valid JSON value with the on-demand parser, which decodes
// escapes; what is not on a mapped path is skipped.
Status WalkCapture(ondemand::value v, std::string& path, Capture& cap, Arena& arena) {
  ondemand::json_type t;
  if (auto e = v.type().get(t)) return InvalidArgument(JsonError(e));
  if (t != ondemand::json_type::object) {
    for (size_t i = 0; i < cap.mapped->paths.size(); ++i) {
      if (!cap.mapped->paths[i] || *cap.mapped->paths[i] != path) continue;
      if (t == ondemand::json_type::string) {
        auto s = ReadJsonString(v, arena);
        if (!s) return s.status();
        cap.path_values[i] = *s;
        return Status::Ok();
      }
      if (t == ondemand::json_type::number) {
        cap.path_values[i] = TrimJsonSpace(v.raw_json_token());
        return Status::Ok();
      }
    }
    return Status::Ok();
  }
  ondemand::object obj;
  if (auto e = v.get_object().get(obj)) return InvalidArgument(JsonError(e));
  for (auto f : obj) {
    ondemand::field field;
    if (auto e = std::move(f).get(field)) return InvalidArgument(JsonError(e));
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return InvalidArgument(JsonError(e));
    size_t len = path.size();
    if (!path.empty()) path.push_back('.');
    path.append(key);
    TRIBUTARY_RETURN_IF_ERROR(WalkCapture(field.value(), path, cap, arena));
    path.resize(len);
  }
  return Status::Ok();
}

// True if `path` leads into an object that holds a mapped path.
bool LeadsToMapped(const Capture& cap, std::string_view path) {
  return std::any_of(cap.mapped->paths.begin(), cap.mapped->paths.end(), [&](const std::string* p) {
    return p && p->size() > path.size() && p->starts_with(path) && (*p)[path.size()] == '.';
  });
}

// The same capture over the structural index of an object already validated, `members` just
// past its '{' (and left past its '}'): much faster than the walk. Returns false if a key, or
// a string on a mapped path, has escapes: only the walk decodes those.
bool IndexCapture(JsonStructureCursor& members, std::string& path, Capture& cap) {
  std::string_view key;
  while (members.NextKey(key)) {
    if (key.find('\\') != std::string_view::npos) return false;
    size_t len = path.size();
    if (!path.empty()) path.push_back('.');
    path.append(key);
    if (members.current() == '{' && LeadsToMapped(cap, path)) {
      members.Advance();
      if (!IndexCapture(members, path, cap)) return false;
    } else {
      std::string_view value = members.TakeValue();
      for (size_t i = 0; i < cap.mapped->paths.size(); ++i) {
        if (!cap.mapped->paths[i] || *cap.mapped->paths[i] != path) continue;
        if (value[0] == '"') {
          value = value.substr(1, value.size() - 2);
          if (value.find('\\') != std::string_view::npos) return false;
          cap.path_values[i] = value;  // a view into the input, as the event's data is
        } else if (value[0] == '-' || (value[0] >= '0' && value[0] <= '9')) {
          cap.path_values[i] = value;
        }
      }
    }
    path.resize(len);
  }
  return true;
}

// Captures the mapped fields of the valid JSON object `raw` with the on-demand walk.
Status WalkAndCapture(std::string_view raw, Capture& cap, Arena& arena) {
  std::string path;
  ondemand::document doc;
  ondemand::value value;
  ondemand::json_type t;
  if (auto e = ThreadParsers().event.iterate(raw.data(), raw.size(), raw.size() + kPad).get(doc))
    return InvalidArgument(JsonError(e));
  if (doc.type().get(t) || t != ondemand::json_type::object || doc.get_value().get(value))
    return InvalidArgument("expected a JSON object");
  TRIBUTARY_RETURN_IF_ERROR(WalkCapture(value, path, cap, arena));
  if (!AtEnd(doc)) return InvalidArgument("invalid JSON: trailing content after the object");
  return Status::Ok();
}

// Captures the mapped fields of the plain JSON object `raw`. `at` is its '{' in the index of
// a document already validated, or null: then `raw` is validated here.
Status ValidateAndCapture(std::string_view raw, const JsonStructureCursor* at, Capture& cap,
                          Arena& arena) {
  std::optional<JsonStructureCursor> own;
  if (!at) {
    if (auto e = IndexJson(raw)) return InvalidArgument(JsonError(e));
    own.emplace(raw);
    if (own->current() != '{') return InvalidArgument("expected a JSON object");
    at = &*own;
  }
  if (!cap.mapped->any) return Status::Ok();
  std::string path;
  Capture index_cap = cap;
  JsonStructureCursor members = *at;
  members.Advance();
  if (!IndexCapture(members, path, index_cap)) return WalkAndCapture(raw, cap, arena);
  cap = index_cap;
  return Status::Ok();
}

// True if the JSON object `raw` has a top-level "specversion" member: it is a CloudEvent.
bool LooksLikeCloudEvent(std::string_view raw) {
  // memmem, not string_view::find: the latter stops at every '"', and JSON is full of them.
  constexpr std::string_view kKey = "\"specversion\"";
  if (!::memmem(raw.data(), raw.size(), kKey.data(), kKey.size())) return false;
  ondemand::document doc;
  ondemand::object obj;
  if (ThreadParsers().event.iterate(raw.data(), raw.size(), raw.size() + kPad).get(doc) ||
      doc.get_object().get(obj))
    return false;
  for (auto f : obj) {
    ondemand::field field;
    if (std::move(f).get(field)) return false;
    if (field.key() == "specversion") return true;
  }
  return false;
}

// Maps one plain JSON object to a CloudEvent; the object itself becomes `data`. `at` is its
// '{' in the index of a document already validated, or null.
bool ParseMappedObject(std::string_view raw, const JsonStructureCursor* at, size_t index,
                       EventBatch& batch, const ParseOptions& opts, const MappedPaths& mapped,
                       std::string_view receive_time, Errors& errors) {
  const JsonMapping& m = *opts.mapping;
  Capture cap(mapped);
  if (!at || mapped.any) {
    Status st = ValidateAndCapture(raw, at, cap, batch.arena());
    if (!st.ok()) {
      errors.Add(index, "", st.message());
      return false;
    }
  }

  // The attributes are set directly, not through EventBuilder, whose checks are for what
  // producers send: here all but a mapped time are constants, generated, or non-empty by
  // construction (a tenth of the time of mapping an event went to those checks).
  auto or_default = [](std::string_view v, std::string_view d) { return v.empty() ? d : v; };
  std::string_view source = or_default(cap.path_values[2], m.default_source);
  std::string_view type = or_default(cap.path_values[1], m.default_type);
  std::string_view time = cap.path_values[3];
  auto fail = [&](std::string_view attribute, std::string_view problem) {
    errors.Add(index, std::string(attribute),
               std::string(problem) + " (mapped from the JSON field of that attribute)");
    return false;
  };
  if (source.empty()) return fail("source", "must be a non-empty string");
  if (type.empty()) return fail("type", "must be a non-empty string");
  if (!time.empty() && !IsRfc3339(time))
    return fail("time", "not an RFC 3339 timestamp (e.g. 2026-11-23T08:00:00Z)");

  Event& ev = batch.events().emplace_back();
  ev.size = static_cast<uint32_t>(raw.size());
  ev.data_kind = DataKind::kJson;
  ev.data = raw;
  ev.specversion = "1.0";
  ev.id = cap.path_values[0];
  if (ev.id.empty()) {
    char* buf = batch.arena().Allocate(kUuidTextLen);
    NewUuidV7(opts.receive_ns / 1'000'000, buf);
    ev.id = {buf, kUuidTextLen};
  }
  ev.source = source;
  ev.type = type;
  ev.datacontenttype = "application/json";
  ev.time = time.empty() ? receive_time : time;
  ev.subject = cap.path_values[4];
  if (std::string_view topic = cap.path_values[5]; !topic.empty()) {
    ev.topic = topic;
    batch.AddExtension(ev, {"topic", topic, AttrKind::kString});
  }
  return true;
}

// Everything shared by the JSON modes after the body is split into event views.
class EventCollector {
 public:
  EventCollector(EventBatch& batch, const ParseOptions& opts, Errors& errors, bool cloudevents_only)
      : batch_(batch),
        opts_(opts),
        errors_(errors),
        cloudevents_only_(cloudevents_only),
        mapped_(opts.mapping) {}

  // Adds the event whose JSON text is `raw`, an element of a body that the on-demand parser
  // splits, or a line the disk queue wrote. Returns false if parsing should stop (too large,
  // or too many errors).
  bool Add(std::string_view raw) {
    size_t index = next_index_++;
    if (!CheckSize(raw, index)) return false;
    if (cloudevents_only_ || LooksLikeCloudEvent(raw)) {
      ParseCloudEvent(raw, index, batch_, json_checked_ || opts_.trusted, opts_.trusted, errors_);
    } else {
      ParseMappedObject(raw, nullptr, index, batch_, opts_, mapped_, ReceiveTime(), errors_);
    }
    return !errors_.full();
  }

  // The same for an event that the DOM already parsed as `obj`, `at` its '{'.
  bool Add(std::string_view raw, simdjson::dom::object obj, JsonStructureCursor at) {
    size_t index = next_index_++;
    if (!CheckSize(raw, index)) return false;
    bool cloudevent = obj.at_key("specversion").error() == simdjson::SUCCESS;
    if ((cloudevents_only_ || cloudevent) &&
        DomCloudEvent(raw, obj, at, index, batch_, opts_.trusted, errors_) != DomOutcome::kTakeWalk)
      return !errors_.full();
    AddValid(raw, index, at, cloudevent);
    return !errors_.full();
  }

  // The same for an event of a document that IndexJson validated, `at` its '{';
  // `cloudevent`: it has a top-level "specversion".
  bool Add(std::string_view raw, JsonStructureCursor at, bool cloudevent) {
    size_t index = next_index_++;
    if (!CheckSize(raw, index)) return false;
    AddValid(raw, index, at, cloudevent);
    return !errors_.full();
  }

  // The same for a line of NDJSON, validated here unless Tributary wrote it.
  bool AddLine(std::string_view line) {
    if (opts_.trusted) return Add(line);
    size_t index = next_index_++;
    if (!CheckSize(line, index)) return false;
    JsonTops& tops = EventTops();
    if (auto e = IndexJson(line, &tops)) {
      errors_.Add(index, "", JsonError(e));
    } else if (JsonStructureCursor at(line); at.current() != '{') {
      errors_.Add(index, "", "expected a JSON object");
    } else {
      AddValid(line, index, at, tops.values[0].has_key);
    }
    return !errors_.full();
  }

  // Makes room for `n` more events at once, rather than growing the list (and copying every
  // event in it) as they come.
  void Expect(size_t n) { batch_.events().reserve(batch_.events().size() + n); }

  // Rejects the next event as a whole, the way the on-demand split does.
  void Reject(std::string message) { errors_.Add(next_index_++, "", std::move(message)); }

  // The body is invalid JSON: what Add(raw) is given is validated, to name the event and
  // attribute at fault.
  void CheckEachEvent() { json_checked_ = false; }

  bool cloudevents_only() const { return cloudevents_only_; }
  bool too_large() const { return too_large_; }

 private:
  void AddValid(std::string_view raw, size_t index, JsonStructureCursor at, bool cloudevent) {
    if (cloudevents_only_ || cloudevent) {
      ParseCloudEvent(raw, index, batch_, /*json_checked=*/true, opts_.trusted, errors_);
    } else {
      ParseMappedObject(raw, &at, index, batch_, opts_, mapped_, ReceiveTime(), errors_);
    }
  }

  bool CheckSize(std::string_view raw, size_t index) {
    if (raw.size() <= opts_.max_event_bytes) return true;
    errors_.Add(index, "",
                "event is " + std::to_string(raw.size()) + " bytes, over max_event_bytes (" +
                    std::to_string(opts_.max_event_bytes) + ")");
    too_large_ = true;
    return false;
  }

  std::string_view ReceiveTime() {
    if (receive_time_.empty()) {
      char* buf = batch_.arena().Allocate(kRfc3339NanoLen);
      receive_time_ = {buf, FormatRfc3339Nanos(opts_.receive_ns, buf)};
    }
    return receive_time_;
  }

  EventBatch& batch_;
  const ParseOptions& opts_;
  Errors& errors_;
  bool cloudevents_only_;
  bool json_checked_ = true;
  MappedPaths mapped_;
  bool too_large_ = false;
  size_t next_index_ = 0;
  std::string_view receive_time_;
};

// The fastest way through a plain JSON body that IndexJson validated, `tops` its events: the
// structural index gives each event's bytes and mapped fields. Returns false, having added
// nothing, when the body must take SplitJsonWithDom instead: it is not of a shape the format
// takes (the on-demand split names that), or its first event is a CloudEvent, which the DOM
// reads fastest.
bool SplitIndexedJson(std::string_view body, const JsonTops& tops, bool allow_array,
                      bool allow_object, EventCollector& events) {
  char first = JsonStructureCursor(body).current();
  bool array = first == '[';
  if (array ? !allow_array : first != '{' || !allow_object) return false;
  if (!tops.values.empty() && tops.values[0].has_key) return false;
  events.Expect(tops.values.size());
  for (size_t i = 0; i < tops.values.size(); ++i) {
    const JsonTops::Value& v = tops.values[i];
    if (!v.is_object) {
      events.Reject("an event must be a JSON object");
      return true;
    }
    std::string_view raw = body.substr(v.start, v.end - v.start);
    if (!events.Add(raw, JsonStructureCursor(body, v.structural), v.has_key)) break;
  }
  return true;
}

// The fast way through a CloudEvents body: one DOM parse validates all of it, then its
// structural index gives each event's bytes. Returns false, having added nothing, when the body
// must take the on-demand split instead: the DOM cannot hold it (an integer beyond 64 bits),
// it is invalid (IndexJson decides), or it is not of a shape the format accepts.
bool SplitJsonWithDom(std::string_view body, bool allow_array, bool allow_object,
                      EventCollector& events) {
  simdjson::dom::element root;
  if (ParseJsonDom(body, root) != simdjson::SUCCESS) return false;
  JsonStructureCursor cursor(body);
  if (root.is_object()) {
    if (!allow_object) return false;
    JsonStructureCursor at = cursor;
    events.Add(cursor.TakeValue(), root.get_object().value_unsafe(), at);
    return true;
  }
  if (!root.is_array() || !allow_array) return false;
  simdjson::dom::array events_array = root.get_array().value_unsafe();
  for (simdjson::dom::element el : events_array) {
    if (!el.is_object()) return false;
  }
  events.Expect(events_array.size());
  cursor.Advance();  // past '['
  for (simdjson::dom::element el : events_array) {
    JsonStructureCursor at = cursor;
    if (!events.Add(cursor.TakeValue(), el.get_object().value_unsafe(), at)) break;
    cursor.Advance();  // past ',' or ']'
  }
  return true;
}

// Splits a body with the on-demand parser. It reads JSON that the DOM cannot hold, and it
// names what is wrong: with the shape of a body, or with the events of an invalid one.
Status SplitOnDemand(std::string_view body, bool allow_array, bool allow_object,
                     EventCollector& events, Errors& errors) {
  auto invalid = [&](simdjson::error_code e) {
    errors.Add(0, "", JsonError(e));
    return InvalidArgument("invalid JSON");
  };
  ondemand::parser& parser = ThreadParsers().outer;
  ondemand::document doc;
  ondemand::json_type t;
  if (auto e = parser.iterate(body.data(), body.size(), body.size() + kPad).get(doc))
    return invalid(e);
  if (auto e = doc.type().get(t)) return invalid(e);
  if (t == ondemand::json_type::object && allow_object) {
    std::string_view raw;
    ondemand::object obj;
    simdjson::error_code e = doc.get_object().get(obj);
    if (!e) e = obj.raw_json().get(raw);
    if (e) return invalid(e);
    if (!AtEnd(doc)) {
      errors.Add(0, "", "invalid JSON: trailing content after the event");
      return InvalidArgument("invalid JSON");
    }
    events.Add(TrimJsonSpace(raw));
    return Status::Ok();
  }
  if (t != ondemand::json_type::array || !allow_array) {
    errors.Add(0, "",
               allow_array && allow_object ? "expected a JSON object or array"
               : allow_array               ? "expected a JSON array of events"
                                           : "expected a JSON object");
    return InvalidArgument("wrong JSON type");
  }
  ondemand::array arr;
  if (auto e = doc.get_array().get(arr)) return invalid(e);
  size_t index = 0;
  for (auto el : arr) {
    std::string_view raw;
    ondemand::object obj;
    if (auto e = el.get_object().get(obj)) {
      errors.Add(index, "",
                 e == simdjson::INCORRECT_TYPE ? "an event must be a JSON object" : JsonError(e));
      return InvalidArgument("invalid event");
    }
    if (auto e = obj.raw_json().get(raw)) {
      errors.Add(index, "", JsonError(e));
      return InvalidArgument("invalid JSON");
    }
    if (!events.Add(TrimJsonSpace(raw))) break;
    ++index;
  }
  if (!errors.any() && !AtEnd(doc)) {
    errors.Add(index, "", "invalid JSON: trailing content after the array");
  }
  return Status::Ok();
}

Status SplitJson(std::string_view body, bool allow_array, bool allow_object, EventCollector& events,
                 Errors& errors) {
  simdjson::error_code invalid = simdjson::SUCCESS;
  if (!events.cloudevents_only()) {
    invalid = IndexJson(body, &EventTops());
    if (!invalid && SplitIndexedJson(body, EventTops(), allow_array, allow_object, events))
      return Status::Ok();
  }
  if (!invalid && SplitJsonWithDom(body, allow_array, allow_object, events)) return Status::Ok();
  if (events.cloudevents_only()) invalid = IndexJson(body);
  if (!invalid) return SplitOnDemand(body, allow_array, allow_object, events, errors);
  // Invalid JSON: the on-demand split names the event and attribute at fault where it can.
  // It is lax about structure (it takes a ':' in an array for a ','), so where it finds
  // nothing wrong, IndexJson's error stands.
  events.CheckEachEvent();
  Status st = SplitOnDemand(body, allow_array, allow_object, events, errors);
  if (errors.any()) return st.ok() ? InvalidArgument("invalid JSON") : st;
  errors.Add(0, "", JsonError(invalid));
  return InvalidArgument("invalid JSON");
}

}  // namespace

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool IsJsonMediaType(std::string_view mt) {
  return mt == "application/json" || mt == "text/json" ||
         (mt.size() > 5 && mt.substr(mt.size() - 5) == "+json");
}

std::string_view NormalizeMediaType(std::string_view ct, std::string& buf) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  // Usually lower case already: then the view will do, and no copy is made (a media type
  // outgrows the small-string buffer, so a copy is an allocation per request or record).
  if (std::none_of(ct.begin(), ct.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return ct;
  buf.assign(ct);
  for (char& c : buf) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return buf;
}

Status ParseEvents(BodyFormat format, std::string_view body, EventBatch& batch,
                   const ParseOptions& opts, std::vector<EventError>& out) {
  Errors errors(out, opts.max_errors);
  const size_t first = batch.size();
  // What Tributary wrote itself (the disk queue's records) is CloudEvents, line by line.
  bool ce_only = format == BodyFormat::kStructured || format == BodyFormat::kBatch ||
                 (format == BodyFormat::kNdjson && opts.trusted);
  EventCollector events(batch, opts, errors, ce_only);
  Status st;
  switch (format) {
    case BodyFormat::kStructured:
      st = SplitJson(body, false, true, events, errors);
      break;
    case BodyFormat::kBatch:
      st = SplitJson(body, true, false, events, errors);
      break;
    case BodyFormat::kJson:
      st = SplitJson(body, true, true, events, errors);
      break;
    case BodyFormat::kNdjson: {
      size_t pos = 0;
      while (pos < body.size()) {
        size_t nl = body.find('\n', pos);
        if (nl == std::string_view::npos) nl = body.size();
        std::string_view line = TrimJsonSpace(body.substr(pos, nl - pos));
        pos = nl + 1;
        if (!line.empty() && !events.AddLine(line)) break;
      }
      break;
    }
  }
  if (events.too_large()) return TooLarge(out.front().message);
  if (errors.any()) return InvalidArgument(out.front().message);
  if (!st.ok()) return st;
  if (!opts.topic.empty()) {
    for (size_t i = first; i < batch.size(); ++i)
      batch.SetExtension(batch.events()[i], "topic", opts.topic);
  }
  return Status::Ok();
}

Status ParseBinaryEvent(std::span<const HeaderField> headers, const BinaryBinding& binding,
                        std::string_view body, EventBatch& batch, const ParseOptions& opts,
                        std::vector<EventError>& out) {
  Arena& arena = batch.arena();
  Event& ev = batch.events().emplace_back();
  EventBuilder builder(batch, ev);
  auto fail = [&](std::string attr, std::string msg) {
    out.push_back({0, std::move(attr), std::move(msg)});
    batch.events().pop_back();
    return InvalidArgument(out.back().message);
  };
  size_t header_bytes = 0;
  std::string_view media_type;
  std::string mt_buf;
  for (const HeaderField& h : headers) {
    std::string_view n = h.name;
    bool is_ce = n.size() > 3 && IEquals(n.substr(0, 3), binding.prefix);
    bool is_ct = !is_ce && IEquals(n, "content-type");
    if (!is_ce && !is_ct) continue;
    header_bytes += h.name.size() + h.value.size();
    std::string_view name = "datacontenttype";
    std::string_view value;
    if (is_ce) {
      char* lower = arena.Allocate(n.size() - 3);
      for (size_t i = 3; i < n.size(); ++i) {
        char c = n[i];
        lower[i - 3] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      }
      name = {lower, n.size() - 3};
      if (binding.percent_encoded) {
        auto decoded = PercentDecode(h.value, arena);
        if (!decoded) return fail(std::string(name), decoded.status().message());
        value = *decoded;
      } else {
        value = arena.Copy(h.value);
      }
    } else {
      value = arena.Copy(h.value);
      media_type = NormalizeMediaType(value, mt_buf);
    }
    if (!builder.Set(name, value, AttrKind::kString))
      return fail(builder.error().attribute, builder.error().message);
  }
  if (!builder.Finish()) return fail(builder.error().attribute, builder.error().message);

  ev.size = static_cast<uint32_t>(body.size() + header_bytes);
  if (ev.size > opts.max_event_bytes) {
    out.push_back({0, "",
                   "event is " + std::to_string(ev.size) + " bytes, over max_event_bytes (" +
                       std::to_string(opts.max_event_bytes) + ")"});
    return TooLarge(out.back().message);
  }
  if (!body.empty()) {
    if (IsJsonMediaType(media_type) || media_type.empty()) {
      // JSON data is kept as it is; anything else is carried as data_base64.
      std::string_view json = TrimJsonSpace(body);
      Status st = ValidateJsonDocument(json);
      if (!st.ok() && !media_type.empty()) return fail("data", st.message());
      if (st.ok()) {
        ev.data_kind = DataKind::kJson;
        ev.data = json;
      }
    }
    if (ev.data_kind == DataKind::kNone) {
      char* b64 = arena.Allocate(Base64EncodedSize(body.size()));
      Base64EncodeTo(body, b64);
      ev.data_kind = DataKind::kBase64;
      ev.data = {b64, Base64EncodedSize(body.size())};
    }
  }
  if (!opts.topic.empty()) batch.SetExtension(ev, "topic", opts.topic);
  return Status::Ok();
}

}  // namespace tributary
