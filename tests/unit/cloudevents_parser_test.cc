#include <gtest/gtest.h>

#include "format/event_parser.h"
#include "format/json_text.h"

namespace tributary {
namespace {

struct Parsed {
  Status status;
  std::vector<EventError> errors;
  std::shared_ptr<EventBatch> batch;
};

Parsed Parse(BodyFormat format, std::string body, ParseOptions opts = {}) {
  static const JsonMapping kMapping;
  if (!opts.mapping) opts.mapping = &kMapping;
  EnsurePadding(body);
  Parsed p;
  p.batch = std::make_shared<EventBatch>(std::move(body));
  p.status = ParseEvents(format, *p.batch, opts, p.errors);
  return p;
}

Parsed Structured(const std::string& body) { return Parse(BodyFormat::kStructured, body); }

std::string Event(const std::string& extra) {
  return R"({"specversion":"1.0","id":"e1","source":"/s","type":"t")" + extra + "}";
}

TEST(StructuredMode, AcceptsAMinimalEvent) {
  Parsed p = Structured(Event(""));
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  ASSERT_EQ(p.batch->size(), 1u);
  const auto& e = p.batch->events()[0];
  EXPECT_EQ(e.id, "e1");
  EXPECT_EQ(e.source, "/s");
  EXPECT_EQ(e.type, "t");
  EXPECT_EQ(e.data_kind, DataKind::kNone);
}

TEST(StructuredMode, KeepsDataBytesExactly) {
  std::string data = R"({ "x" : 1.50e+2, "big": 123456789012345678901234567890, "s":"\u00e9\n" })";
  Parsed p = Structured(Event(R"(,"data": )" + data + " "));
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  EXPECT_EQ(p.batch->events()[0].data, data);
  EXPECT_EQ(p.batch->events()[0].data_kind, DataKind::kJson);
}

TEST(StructuredMode, AttributesAreViewsIntoTheInputUnlessEscaped) {
  Parsed p = Structured(Event(R"(,"subject":"plain","comexample":"caf\u00e9")"));
  ASSERT_TRUE(p.status.ok());
  const auto& e = p.batch->events()[0];
  const std::string& in = p.batch->input();
  EXPECT_GE(e.subject.data(), in.data());
  EXPECT_LT(e.subject.data(), in.data() + in.size());
  EXPECT_EQ(p.batch->FindExtension(e, "comexample")->value, "café");
}

struct RuleCase {
  const char* name;
  std::string body;
  std::string attribute;
};

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

class InvalidStructured : public testing::TestWithParam<RuleCase> {};

TEST_P(InvalidStructured, IsRejectedNamingTheAttribute) {
  Parsed p = Structured(GetParam().body);
  ASSERT_EQ(p.status.code(), StatusCode::kInvalidArgument) << GetParam().name;
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].index, 0u);
  EXPECT_EQ(p.errors[0].attribute, GetParam().attribute) << p.errors[0].message;
  EXPECT_FALSE(p.errors[0].message.empty());
  EXPECT_EQ(p.batch->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, InvalidStructured,
    testing::Values(
        RuleCase{"missing id", R"({"specversion":"1.0","source":"/s","type":"t"})", "id"},
        RuleCase{"missing source", R"({"specversion":"1.0","id":"1","type":"t"})", "source"},
        RuleCase{"missing type", R"({"specversion":"1.0","id":"1","source":"/s"})", "type"},
        RuleCase{"missing specversion", R"({"id":"1","source":"/s","type":"t"})", "specversion"},
        RuleCase{"wrong specversion", R"({"specversion":"0.3","id":"1","source":"/s","type":"t"})",
                 "specversion"},
        RuleCase{"empty id", R"({"specversion":"1.0","id":"","source":"/s","type":"t"})", "id"},
        RuleCase{"numeric id", R"({"specversion":"1.0","id":1,"source":"/s","type":"t"})", "id"},
        RuleCase{"duplicate id",
                 R"({"specversion":"1.0","id":"1","id":"2","source":"/s","type":"t"})", "id"},
        RuleCase{"duplicate extension", Event(R"(,"ext":"a","ext":"b")"), "ext"},
        RuleCase{"uppercase extension", Event(R"(,"myExt":"a")"), "myExt"},
        RuleCase{"underscore extension", Event(R"(,"my_ext":"a")"), "my_ext"},
        RuleCase{"object extension", Event(R"(,"ext":{"a":1})"), "ext"},
        RuleCase{"fractional extension", Event(R"(,"ext":1.5)"), "ext"},
        RuleCase{"bad time", Event(R"(,"time":"2026-11-23 08:00:00Z")"), "time"},
        RuleCase{"bad month", Event(R"(,"time":"2026-13-01T00:00:00Z")"), "time"},
        RuleCase{"no leap day", Event(R"(,"time":"2025-02-29T00:00:00Z")"), "time"},
        RuleCase{"no offset", Event(R"(,"time":"2026-11-23T08:00:00")"), "time"},
        RuleCase{"data and data_base64", Event(R"(,"data":1,"data_base64":"AA==")"), "data_base64"},
        RuleCase{"bad base64", Event(R"(,"data_base64":"A===")"), "data_base64"},
        RuleCase{"invalid literal in data", Event(R"(,"data":{"a":tru})"), "data"},
        RuleCase{"leading zero in data", Event(R"(,"data":{"a":01})"), "data"},
        RuleCase{"bare fraction in data", Event(R"(,"data":[1.])"), "data"},
        RuleCase{"bad datacontenttype", Event(R"(,"datacontenttype":"json")"), "datacontenttype"},
        // simdjson finds raw control characters while indexing, before attributes are known.
        RuleCase{"control character", Event(",\"subject\":\"a\tb\""), ""}),
    [](const testing::TestParamInfo<RuleCase>& info) {
      std::string name = info.param.name;
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(StructuredMode, AcceptsValidTimes) {
  for (const char* t : {"2026-11-23T08:00:00Z", "2026-11-23t08:00:00z",
                        "2024-02-29T23:59:60.123456789+01:00", "1985-04-12T23:20:50.52-04:30"}) {
    Parsed p = Structured(Event(std::string(R"(,"time":")") + t + "\""));
    EXPECT_TRUE(p.status.ok()) << t << ": " << (p.errors.empty() ? "" : p.errors[0].message);
  }
}

TEST(StructuredMode, AcceptsExtensionsOfEachKindAndNullAsAbsent) {
  Parsed p = Structured(Event(R"(,"count":42,"flag":true,"name":"x","subject":null,"data":null)"));
  ASSERT_TRUE(p.status.ok()) << p.errors[0].message;
  const auto& e = p.batch->events()[0];
  EXPECT_EQ(p.batch->FindExtension(e, "count")->kind, AttrKind::kNumber);
  EXPECT_EQ(p.batch->FindExtension(e, "count")->value, "42");
  EXPECT_EQ(p.batch->FindExtension(e, "flag")->kind, AttrKind::kBool);
  EXPECT_TRUE(e.subject.empty());
  EXPECT_EQ(e.data_kind, DataKind::kNone);
}

TEST(StructuredMode, AcceptsDataBase64) {
  Parsed p = Structured(Event(R"(,"data_base64":"aGVsbG8=")"));
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.batch->events()[0].data_kind, DataKind::kBase64);
  EXPECT_EQ(p.batch->events()[0].data, "aGVsbG8=");
}

TEST(StructuredMode, RejectsTrailingContentAndNonObjects) {
  EXPECT_FALSE(Structured(Event("") + " x").status.ok());
  EXPECT_FALSE(Structured("[" + Event("") + "]").status.ok());
  EXPECT_FALSE(Structured("").status.ok());
  EXPECT_FALSE(Structured("{").status.ok());
}

TEST(EventSize, AcceptsSixtyFourKibAndRejectsOverTheLimit) {
  std::string big(64 * 1024, 'a');
  Parsed ok = Structured(Event(R"(,"data":")" + big + "\""));
  EXPECT_TRUE(ok.status.ok());
  ParseOptions opts;
  opts.max_event_bytes = 64 * 1024;
  Parsed too_big = Parse(BodyFormat::kStructured, Event(R"(,"data":")" + big + "\""), opts);
  EXPECT_EQ(too_big.status.code(), StatusCode::kTooLarge);
  ASSERT_EQ(too_big.errors.size(), 1u);
  EXPECT_NE(too_big.errors[0].message.find("max_event_bytes"), std::string::npos);
}

TEST(BatchMode, ParsesEveryEventAndNamesTheBadOnes) {
  Parsed ok = Parse(BodyFormat::kBatch, "[" + Event("") + ", " + Event(R"(,"data":[1, 2])") + "]");
  ASSERT_TRUE(ok.status.ok());
  EXPECT_EQ(ok.batch->size(), 2u);
  EXPECT_EQ(ok.batch->events()[1].data, "[1, 2]");

  Parsed bad = Parse(BodyFormat::kBatch, "[" + Event("") + "," + Event(R"(,"time":"x")") + "," +
                                             Event(R"(,"Bad":1)") + "]");
  ASSERT_EQ(bad.status.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].index, 1u);
  EXPECT_EQ(bad.errors[0].attribute, "time");
  EXPECT_EQ(bad.errors[1].index, 2u);
  EXPECT_EQ(bad.errors[1].attribute, "Bad");
}

TEST(BatchMode, EmptyArrayIsValidAndAnObjectIsNot) {
  Parsed empty = Parse(BodyFormat::kBatch, "[]");
  EXPECT_TRUE(empty.status.ok());
  EXPECT_EQ(empty.batch->size(), 0u);
  EXPECT_FALSE(Parse(BodyFormat::kBatch, Event("")).status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kBatch, "[1]").status.ok());
}

TEST(PlainJson, MapsFieldsAndGeneratesTheRest) {
  JsonMapping m;
  m.id = "context.message_id";
  m.type = "event_name";
  m.default_source = "/app";
  ParseOptions opts;
  opts.mapping = &m;
  opts.receive_ns = 1'700'000'000'123'456'789;
  std::string obj = R"({"event_name":"signup","context":{"message_id":"m-1"},"n":1})";
  Parsed p = Parse(BodyFormat::kJson, obj, opts);
  ASSERT_TRUE(p.status.ok()) << p.errors[0].message;
  const auto& e = p.batch->events()[0];
  EXPECT_EQ(e.id, "m-1");
  EXPECT_EQ(e.type, "signup");
  EXPECT_EQ(e.source, "/app");
  EXPECT_EQ(e.time, "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(e.data, obj);

  Parsed gen = Parse(BodyFormat::kJson, R"([{"a":1},{"b":2}])", opts);
  ASSERT_TRUE(gen.status.ok());
  ASSERT_EQ(gen.batch->size(), 2u);
  EXPECT_EQ(gen.batch->events()[0].id.size(), 36u);
  EXPECT_EQ(gen.batch->events()[0].id[14], '7');  // UUID version 7
  EXPECT_NE(gen.batch->events()[0].id, gen.batch->events()[1].id);
  EXPECT_EQ(gen.batch->events()[0].type, "tributary.json");
}

TEST(PlainJson, MappedValuesKeepTheirTextWhateverParserReadThem) {
  // The DOM reads most objects; a float or an integer beyond 64 bits sends the object to
  // the walk. Both must give a mapped value the text it had in the event.
  JsonMapping m;
  m.id = "meta.id";
  m.subject = "who";
  ParseOptions opts;
  opts.mapping = &m;
  const std::pair<std::string, std::string> cases[] = {
      {R"({"meta":{"id":42}})", "42"},
      {R"({"meta":{"id":-7}})", "-7"},
      {R"({"meta":{"id":18446744073709551615}})", "18446744073709551615"},
      {R"({"meta":{"id":123456789012345678901234567890}})", "123456789012345678901234567890"},
      {R"({"meta":{"id":1.50e3}})", "1.50e3"},
      {R"({"meta":{"id":"a\"b\u00e9"}})", "a\"b\xc3\xa9"},
      {R"({"meta":{"id":"first"},"meta":{"id":"last"}})", "last"},
      {R"({"meta.id":"dotted","x":[{"meta":{"id":"in an array"}}]})", "dotted"},
  };
  for (const auto& [obj, id] : cases) {
    Parsed p = Parse(BodyFormat::kJson, obj + "\n", opts);
    ASSERT_TRUE(p.status.ok()) << obj << ": " << p.errors[0].message;
    EXPECT_EQ(p.batch->events()[0].id, id) << obj;
    EXPECT_EQ(p.batch->events()[0].data, obj);
  }
  Parsed both = Parse(BodyFormat::kJson, R"({"who":"w","meta":{"id":2.5}})", opts);
  ASSERT_TRUE(both.status.ok());
  EXPECT_EQ(both.batch->events()[0].id, "2.5");
  EXPECT_EQ(both.batch->events()[0].subject, "w");
  EXPECT_EQ(both.batch->events()[0].specversion, "1.0");
  EXPECT_EQ(both.batch->events()[0].datacontenttype, "application/json");

  m.topic = "route";  // the routing topic, carried as the `topic` extension
  Parsed routed = Parse(BodyFormat::kJson, R"({"route":"cams/front","who":""})", opts);
  ASSERT_TRUE(routed.status.ok());
  const auto& e = routed.batch->events()[0];
  EXPECT_EQ(e.topic, "cams/front");
  ASSERT_NE(routed.batch->FindExtension(e, "topic"), nullptr);
  EXPECT_EQ(routed.batch->FindExtension(e, "topic")->value, "cams/front");
  EXPECT_TRUE(e.subject.empty()) << "an empty mapped subject is no subject";
}

TEST(PlainJson, RejectsABadMappedTimeAndInvalidJson) {
  JsonMapping m;
  m.time = "ts";
  ParseOptions opts;
  opts.mapping = &m;
  Parsed p = Parse(BodyFormat::kJson, R"({"ts":"yesterday"})", opts);
  ASSERT_FALSE(p.status.ok());
  EXPECT_EQ(p.errors[0].attribute, "time");
  EXPECT_EQ(p.errors[0].message,
            "not an RFC 3339 timestamp (e.g. 2026-11-23T08:00:00Z) (mapped from the JSON field "
            "of that attribute)");
  EXPECT_EQ(p.batch->size(), 0u);
  Parsed good = Parse(BodyFormat::kJson, R"({"ts":"2026-11-23T08:00:00.5+01:00"})", opts);
  ASSERT_TRUE(good.status.ok());
  EXPECT_EQ(good.batch->events()[0].time, "2026-11-23T08:00:00.5+01:00");
  m.default_type = "";  // a config can say so: every event without the field is refused
  Parsed untyped = Parse(BodyFormat::kJson, R"({"a":1})", opts);
  ASSERT_FALSE(untyped.status.ok());
  EXPECT_EQ(untyped.errors[0].attribute, "type");
  EXPECT_EQ(untyped.errors[0].message,
            "must be a non-empty string (mapped from the JSON field of that attribute)");
  EXPECT_FALSE(Parse(BodyFormat::kJson, R"({"a":nul})").status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kJson, R"("text")").status.ok());
}

TEST(JsonBodies, InvalidJsonIsRefusedWhereverItIsAndTheAttributeNamedWhereItCanBe) {
  // simdjson's on-demand parser takes the ':' in ["k":1] for a ','; the index does not.
  for (BodyFormat format : {BodyFormat::kJson, BodyFormat::kNdjson}) {
    Parsed p = Parse(format, R"({"a":["k":1]})");
    ASSERT_FALSE(p.status.ok());
    EXPECT_EQ(p.errors.at(0).message,
              "invalid JSON: The JSON document has an improper structure: missing or superfluous "
              "commas, braces, missing keys, etc.");
  }
  EXPECT_FALSE(Parse(BodyFormat::kJson, R"([{"ok":1},{"a":["k":1]}])").status.ok());
  Parsed ce = Parse(BodyFormat::kBatch, "[" + Event("") + "," + Event(R"(,"data":["k":1])") + "]");
  ASSERT_FALSE(ce.status.ok());
  EXPECT_EQ(ce.errors.at(0).index, 1u);
  EXPECT_EQ(ce.errors.at(0).attribute, "data");
}

TEST(PlainJson, ValidatesEscapesInKeysAndStringsOfData) {
  // Strings and keys without escapes are checked as they are; those with escapes are decoded.
  EXPECT_TRUE(Parse(BodyFormat::kJson, R"({"a\u0041b":"x\"y\u00e9","n":[1,"\/"]})").status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kJson, R"({"a\qb":1})").status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kJson, R"({"a":"bad \x escape"})").status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kJson, R"({"a":{"b":"\ud800"}})").status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kJson, "{\"a\tb\":1}").status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kJson, "{\"a\":\"tab\there\"}").status.ok());
  EXPECT_FALSE(Parse(BodyFormat::kBatch, "[" + Event(R"(,"data":{"k\z":1})") + "]").status.ok());
}

// Everything the parser made of event `n` of a batch (counting from it), or of its first error.
std::string Describe(const Parsed& p, bool with_id, size_t n = 0) {
  if (!p.errors.empty()) {
    const EventError& e = p.errors[0];
    return "error #" + std::to_string(e.index - n) + " [" + e.attribute + "] " + e.message;
  }
  const EventBatch& b = *p.batch;
  const auto& e = b.events().at(n);
  std::string out = (with_id ? std::string(e.id) : "") + "|" + std::string(e.source) + "|" +
                    std::string(e.type) + "|" + std::string(e.specversion) + "|" +
                    std::string(e.datacontenttype) + "|" + std::string(e.dataschema) + "|" +
                    std::string(e.subject) + "|" + std::string(e.time) + "|" +
                    std::string(e.topic) + "|" + std::to_string(static_cast<int>(e.data_kind)) +
                    ":" + std::string(e.data) + "|" + std::to_string(e.size);
  for (const Attribute& a : b.Extensions(e)) {
    out += "|" + std::string(a.name) + "=" + std::string(a.value) + "/" +
           std::to_string(static_cast<int>(a.kind));
  }
  return out;
}

TEST(JsonBodies, TheIndexTheDomAndTheWalkAgreeForEveryEvent) {
  // A body is read through the structural index (plain JSON), or with one DOM parse of all of
  // it (CloudEvents), unless the DOM cannot hold some value (here: an integer beyond 64 bits
  // in another event), when every event takes the on-demand walk. All must make the same of
  // an event: its attributes, data and errors.
  const std::string kBig = "123456789012345678901234567890";
  const std::string cloudevents[] = {
      Event(""),
      Event(R"(,"subject":"s","comexample":"caf\u00e9","n":42,"neg":-7,"b":true,"f":false)"),
      Event(R"( , "data" : { "a" : [1, "}\"{", {"b":null}] } , "time":"2026-11-23T08:00:00Z" )"),
      Event(R"(,"data":"text","datacontenttype":"text/plain","dataschema":"http://x/s")"),
      Event(R"(,"data":null,"data_base64":"aGk=")"),
      Event(R"(,"data_base64":null,"data":[])"),
      Event(R"(,"data":0.5e-3)"),
      Event(R"(,"d\u0061ta":{"escaped":"key"},"s\u0075bject":"esc\"aped")"),
      Event(R"(,"topic":"orders.eu","subject":null)"),
      Event(R"(,"big":)" + kBig),
      Event(R"(,"u":18446744073709551615)"),
      Event(R"(,"f":1.5)"),
      Event(R"(,"z":-0)"),
      Event(R"(,"a":[],"o":{})"),
      Event(R"(,"data_base64":"A===")"),
      Event(R"(,"data_base64":7)"),
      Event(R"(,"data":1,"data_base64":"AA==")"),
      Event(R"(,"data":1,"data":2)"),
      Event(R"(,"time":"yesterday")"),
      Event(R"(,"Upper":"x")"),
      R"({"specversion":"1.0","id":"1","source":"/s"})",
      R"({"specversion":"0.3","id":"1","source":"/s","type":"t"})",
      R"({"specversion":"1.0","id":1,"source":"/s","type":"t"})",
  };
  const std::string force_walk = Event(R"(,"data":)" + kBig);
  for (const std::string& ev : cloudevents) {
    for (BodyFormat format : {BodyFormat::kBatch, BodyFormat::kJson}) {
      Parsed dom = Parse(format, "[" + ev + "]");
      Parsed walk = Parse(format, "[" + ev + ",\n" + force_walk + "]");
      EXPECT_EQ(Describe(dom, true), Describe(walk, true)) << ev;
    }
  }

  JsonMapping m;
  m.type = "kind";
  m.subject = "who.name";
  m.time = "at";
  ParseOptions opts;
  opts.mapping = &m;
  opts.receive_ns = 1'700'000'000'123'456'789;
  const std::string plain[] = {
      R"({"kind":"signup","who":{"name":"ann"},"at":"2026-11-23T08:00:00Z"})",
      R"( {"kind" : "a\"b" , "who":{"name":7},"x":[{"kind":"nested"}]} )",
      R"({"who":{"name":1.25},"kind":"float at a mapped path"})",
      R"({"at":"yesterday"})",
      R"({"kind":""})",
      R"({})",
  };
  for (const std::string& obj : plain) {
    // A first event that is a CloudEvent sends the body to the DOM, and from there to the walk.
    Parsed index = Parse(BodyFormat::kJson, "[" + obj + "]", opts);
    Parsed dom = Parse(BodyFormat::kJson, "[" + Event("") + "," + obj + "]", opts);
    Parsed walk = Parse(BodyFormat::kJson, "[" + force_walk + "," + obj + "]", opts);
    EXPECT_EQ(Describe(index, false), Describe(dom, false, 1)) << obj;
    EXPECT_EQ(Describe(index, false), Describe(walk, false, 1)) << obj;
  }
}

TEST(Ndjson, ParsesLinesSkipsBlankOnesAndDetectsCloudEvents) {
  Parsed p = Parse(BodyFormat::kNdjson, "{\"a\":1}\n\n" + Event("") + "\r\n{\"b\":2}");
  ASSERT_TRUE(p.status.ok()) << p.errors[0].message;
  ASSERT_EQ(p.batch->size(), 3u);
  EXPECT_EQ(p.batch->events()[1].id, "e1");
  EXPECT_EQ(p.batch->events()[2].data, "{\"b\":2}");

  Parsed bad = Parse(BodyFormat::kNdjson, "{\"a\":1}\n{\"a\":\n");
  ASSERT_FALSE(bad.status.ok());
  EXPECT_EQ(bad.errors[0].index, 1u);
}

TEST(TransportTopic, OverridesTheEventTopic) {
  ParseOptions opts;
  opts.topic = "cams/front";
  Parsed p = Parse(BodyFormat::kStructured, Event(R"(,"topic":"other")"), opts);
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.batch->events()[0].topic, "cams/front");
  EXPECT_EQ(p.batch->FindExtension(p.batch->events()[0], "topic")->value, "cams/front");
}

// --- binary mode ---

struct Binary {
  Status status;
  std::vector<EventError> errors;
  std::shared_ptr<EventBatch> batch;
};

Binary ParseBinary(std::vector<HeaderField> headers, std::string body) {
  EnsurePadding(body);
  Binary b;
  b.batch = std::make_shared<EventBatch>(std::move(body));
  b.status = ParseBinaryEvent(headers, *b.batch, ParseOptions{}, b.errors);
  return b;
}

std::vector<HeaderField> Required(std::vector<HeaderField> more = {}) {
  std::vector<HeaderField> h = {
      {"ce-specversion", "1.0"}, {"CE-ID", "b1"}, {"ce-source", "/cam"}, {"ce-type", "t"}};
  h.insert(h.end(), more.begin(), more.end());
  return h;
}

TEST(BinaryMode, PercentDecodesHeaderValuesOnce) {
  Binary b =
      ParseBinary(Required({{"ce-subject", "Euro%20%E2%82%AC"}, {"ce-comexample", "%2541"}}), "");
  ASSERT_TRUE(b.status.ok()) << b.errors[0].message;
  const auto& e = b.batch->events()[0];
  EXPECT_EQ(e.id, "b1");
  EXPECT_EQ(e.subject, "Euro \xE2\x82\xAC");
  EXPECT_EQ(b.batch->FindExtension(e, "comexample")->value, "%41");
}

TEST(BinaryMode, RejectsOverlongUtf8AndBrokenEscapes) {
  Binary overlong = ParseBinary(Required({{"ce-subject", "%C0%A0"}}), "");
  ASSERT_FALSE(overlong.status.ok());
  EXPECT_EQ(overlong.errors[0].attribute, "subject");
  EXPECT_FALSE(ParseBinary(Required({{"ce-subject", "100%"}}), "").status.ok());
  EXPECT_FALSE(ParseBinary(Required({{"ce-subject", "%zz"}}), "").status.ok());
}

TEST(BinaryMode, ContentTypeIsDatacontenttypeAndJsonBodiesStayBytes) {
  Binary json = ParseBinary(Required({{"Content-Type", "application/json; charset=utf-8"}}),
                            R"({"x": [1, 2]})");
  ASSERT_TRUE(json.status.ok());
  const auto& e = json.batch->events()[0];
  EXPECT_EQ(e.datacontenttype, "application/json; charset=utf-8");
  EXPECT_EQ(e.data_kind, DataKind::kJson);
  EXPECT_EQ(e.data, R"({"x": [1, 2]})");

  Binary bin = ParseBinary(Required({{"content-type", "application/octet-stream"}}),
                           std::string("\x00\xff", 2));
  ASSERT_TRUE(bin.status.ok());
  EXPECT_EQ(bin.batch->events()[0].data_kind, DataKind::kBase64);
  EXPECT_EQ(bin.batch->events()[0].data, "AP8=");

  EXPECT_FALSE(ParseBinary(Required({{"Content-Type", "application/json"}}), "{bad").status.ok());
}

TEST(BinaryMode, RequiresAttributesAndRejectsDuplicates) {
  Binary missing = ParseBinary({{"ce-specversion", "1.0"}, {"ce-id", "1"}, {"ce-type", "t"}}, "");
  ASSERT_FALSE(missing.status.ok());
  EXPECT_EQ(missing.errors[0].attribute, "source");
  Binary dup = ParseBinary(Required({{"ce-id", "again"}}), "");
  ASSERT_FALSE(dup.status.ok());
  EXPECT_EQ(dup.errors[0].attribute, "id");
}

TEST(MediaType, IsTrimmedAndLoweredCopyingOnlyWhenLettersAreUpper) {
  std::string buf;
  std::string_view lower = " application/json ; charset=utf-8";
  std::string_view mt = NormalizeMediaType(lower, buf);
  EXPECT_EQ(mt, "application/json");
  EXPECT_EQ(mt.data(), lower.data() + 1) << "a view into the header, not a copy";
  EXPECT_TRUE(buf.empty());

  EXPECT_EQ(NormalizeMediaType("Application/CloudEvents+JSON;charset=UTF-8", buf),
            "application/cloudevents+json");
  EXPECT_EQ(buf, "application/cloudevents+json");
}

}  // namespace
}  // namespace tributary
