#include "format/encoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "test_util.h"

namespace tributary {
namespace {

using testing_util::EncodeEvents;
using testing_util::ParseBatch;

TEST(Encoder, WritesDataBytesBackUnchanged) {
  const std::string datas[] = {
      R"({"b": 2, "a" :[1.0e+30, 123456789012345678901234567890, "\u00e9\"x"]})", R"("just text")",
      "42", "[]", R"({"nested":{"deep":[{"k":true}]}})"};
  for (const std::string& data : datas) {
    auto batch = ParseBatch("[" + testing_util::MakeEvent(1, data) + "]");
    std::string out;
    MakeEncoder(Encoding::kNdjson)->Append(*batch, batch->events()[0], true, out);
    EXPECT_NE(out.find("\"data\":" + data + "}"), std::string::npos) << out;
  }
}

TEST(Encoder, NdjsonIsOneLinePerEventAndParsesBack) {
  auto batch =
      ParseBatch(R"([{"specversion":"1.0","id":"a\"b","source":"/s","type":"t","count":3,"ok":false,
      "subject":"line\nbreak","data":{
        "pretty": [1,
                   2]}},
      {"specversion":"1.0","id":"2","source":"/s","type":"t","data_base64":"AP8="}])");
  std::string out = EncodeEvents(*MakeEncoder(Encoding::kNdjson), *batch);
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  simdjson::dom::parser parser;
  std::string first_line = out.substr(0, out.find('\n'));
  simdjson::dom::element e = parser.parse(first_line);
  EXPECT_EQ(std::string_view(e["id"]), "a\"b");
  EXPECT_EQ(std::string_view(e["subject"]), "line\nbreak");
  EXPECT_EQ(int64_t(e["count"]), 3);
  EXPECT_EQ(bool(e["ok"]), false);
  EXPECT_EQ(int64_t(e["data"]["pretty"].at(1)), 2);
  std::string second = out.substr(first_line.size() + 1);
  EXPECT_NE(second.find(R"("data_base64":"AP8=")"), std::string::npos);
}

// Events whose attributes need no escaping take a faster path: the same bytes, one line.
TEST(Encoder, WritesEventsWithAndWithoutEscapesAlike) {
  const std::string data = "{\"a\":\n [1,\r\n2]}";
  auto batch = ParseBatch(
      R"([{"specversion":"1.0","id":"1","source":"/s","type":"t","n":7,"data":)" + data +
      R"(},{"specversion":"1.0","id":"2","source":"/s","type":"t\"q","n":7,"data":)" + data + "}]");
  std::string out = EncodeEvents(*MakeEncoder(Encoding::kNdjson), *batch);
  EXPECT_EQ(
      out,
      R"({"specversion":"1.0","id":"1","source":"/s","type":"t","n":7,"data":{"a":  [1,  2]}})"
      "\n"
      R"({"specversion":"1.0","id":"2","source":"/s","type":"t\"q","n":7,"data":{"a":  [1,  2]}})"
      "\n");
}

// The fast path checks all attributes of an event at once, after writing them: a character
// to escape anywhere in any of them (at every offset of subjects up to 80 bytes) must still
// send the event through the escaping path.
TEST(Encoder, EscapesAnAttributeWhereverItsCharacterFalls) {
  auto encoder = MakeEncoder(Encoding::kNdjson);
  simdjson::dom::parser parser;
  for (size_t len = 1; len <= 80; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (const char* special : {"\\\"", "\\\\", "\\n", "\\u0001"}) {
        std::string subject = std::string(at, 'x') + special + std::string(len - at - 1, 'y');
        auto batch = ParseBatch(R"([{"specversion":"1.0","id":"1","source":"/s","type":"t",)"
                                R"("subject":")" +
                                subject + R"(","n":7,"data":{}}])");
        ASSERT_EQ(batch->size(), 1u) << subject;
        std::string out = EncodeEvents(*encoder, *batch);
        simdjson::dom::element e;
        ASSERT_EQ(parser.parse(out).get(e), simdjson::SUCCESS) << out;
        EXPECT_EQ(std::string_view(e["subject"]), batch->events()[0].subject) << out;
      }
    }
  }
}

// Line breaks in data (whitespace between its tokens) become spaces wherever they fall: at
// every offset of data of every length up to 100 bytes.
TEST(Encoder, NdjsonSpacesLineBreaksAtEveryOffsetOfTheData) {
  auto encoder = MakeEncoder(Encoding::kNdjson);
  for (size_t len = 4; len <= 100; ++len) {
    for (size_t at = 1; at + 2 < len; ++at) {
      for (char line_break : {'\n', '\r'}) {
        std::string data = "[" + std::string(len - 3, ' ') + "1]";
        data[at] = line_break;
        auto batch = ParseBatch(
            R"([{"specversion":"1.0","id":"1","source":"/s","type":"t","data":)" + data + "}]");
        std::string out = EncodeEvents(*encoder, *batch);
        std::string expected = "[" + std::string(len - 3, ' ') + "1]";
        ASSERT_EQ(out, R"({"specversion":"1.0","id":"1","source":"/s","type":"t","data":)" +
                           expected + "}\n")
            << "len " << len << " at " << at;
      }
    }
  }
}

TEST(Encoder, CloudEventsBatchIsAJsonArray) {
  auto batch = ParseBatch(testing_util::MakeBatchBody(3, R"({"x":[1,2]})"));
  auto enc = MakeEncoder(Encoding::kCloudEventsBatch);
  MessageMeta meta;
  enc->Describe(*batch, batch->events()[0], meta);
  EXPECT_EQ(meta.content_type, "application/cloudevents-batch+json");
  EXPECT_TRUE(meta.attributes.empty());
  std::string out = EncodeEvents(*enc, *batch);
  simdjson::dom::parser parser;
  simdjson::dom::array arr = parser.parse(out);
  EXPECT_EQ(arr.size(), 3u);
  // The encoded batch is itself valid input: the round trip keeps every attribute.
  auto again = ParseBatch(out);
  ASSERT_EQ(again->size(), 3u);
  EXPECT_EQ(again->events()[2].id, "2");
  EXPECT_EQ(again->events()[2].data, R"({"x":[1,2]})");
}

TEST(Encoder, EnrichesPerSinkWithoutChangingTheEvent) {
  auto batch =
      ParseBatch(R"([{"specversion":"1.0","id":"1","source":"/cam","type":"t","topic":"cams/front",
      "pipelineid":"old","data":1},
      {"specversion":"1.0","id":"2","source":"/cam","type":"t","data":2}])");
  Enrichment en{{{"pipelineid", "p1"}, {"filtername", "people"}},
                "filter://{pipelineid}/{filtername}/{topic}",
                true};
  auto enc = MakeEncoder(Encoding::kNdjson, en);
  std::string out;
  enc->Append(*batch, batch->events()[0], true, out);
  EXPECT_NE(out.find(R"("source":"filter://p1/people/cams/front")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("pipelineid":"p1")"), std::string::npos) << out;
  EXPECT_EQ(out.find(R"("pipelineid":"old")"), std::string::npos) << out;  // the sink's value wins
  EXPECT_NE(out.find(R"("filtername":"people")"), std::string::npos);
  EXPECT_EQ(batch->events()[0].source, "/cam");  // the shared event is untouched

  en.override_source = false;  // only events without a source get the template
  out.clear();
  MakeEncoder(Encoding::kNdjson, en)->Append(*batch, batch->events()[1], true, out);
  EXPECT_NE(out.find(R"("source":"/cam")"), std::string::npos) << out;
  EXPECT_EQ(ExpandSourceTemplate("x/{missing}/{type}", *batch, batch->events()[1], en), "x//t");
}

TEST(Encoder, StructuredModeIsOneJsonObjectPerMessage) {
  auto batch = ParseBatch(testing_util::MakeBatchBody(1, R"({"x": 1})"));
  auto enc = MakeEncoder(Encoding::kCloudEvents);
  EXPECT_TRUE(enc->single_event());
  MessageMeta meta;
  enc->Describe(*batch, batch->events()[0], meta);
  EXPECT_EQ(meta.content_type, "application/cloudevents+json; charset=utf-8");
  EXPECT_TRUE(meta.attributes.empty());
  EXPECT_EQ(EncodeEvents(*enc, *batch),
            R"({"specversion":"1.0","id":"0","source":"/s","type":"t","data":{"x": 1}})");
}

TEST(Encoder, BinaryModeSendsDataAsTheBodyAndAttributesBesideIt) {
  auto batch = ParseBatch(
      R"([{"specversion":"1.0","id":"j","source":"/cam","type":"t","subject":"caf\u00e9 \"x\"",
      "count":3,"data":{"a": [1, 2.50]}},
      {"specversion":"1.0","id":"b","source":"/cam","type":"t","datacontenttype":"image/png",
      "data_base64":"AP8="},
      {"specversion":"1.0","id":"s","source":"/cam","type":"t","datacontenttype":"text/plain",
      "data":"line\none"},
      {"specversion":"1.0","id":"n","source":"/cam","type":"t"}])");
  Enrichment en{{{"pipelineid", "p1"}}, "", false};
  auto enc = MakeEncoder(Encoding::kCloudEventsBinary, en);
  EXPECT_TRUE(enc->single_event());
  auto encode = [&](size_t i, MessageMeta& meta) {
    enc->Describe(*batch, batch->events()[i], meta);
    return EncodeEvents(*enc, *batch, i, i + 1);
  };
  MessageMeta meta;
  EXPECT_EQ(encode(0, meta), R"({"a": [1, 2.50]})");  // JSON data exactly as it came
  EXPECT_EQ(meta.content_type, "application/json");
  using Attrs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(meta.attributes, (Attrs{{"specversion", "1.0"},
                                    {"id", "j"},
                                    {"source", "/cam"},
                                    {"type", "t"},
                                    {"subject", "caf\u00e9 \"x\""},
                                    {"count", "3"},
                                    {"pipelineid", "p1"}}));
  EXPECT_EQ(encode(1, meta), std::string("\x00\xff", 2));  // data_base64 decoded
  EXPECT_EQ(meta.content_type, "image/png");
  EXPECT_EQ(encode(2, meta), "line\none");  // a JSON string of a text type is sent as text
  EXPECT_EQ(meta.content_type, "text/plain");
  EXPECT_EQ(encode(3, meta), "");  // no data: no body and no content type
  EXPECT_EQ(meta.content_type, "");
}

TEST(Encoder, ParsesEncodingNames) {
  EXPECT_EQ(*ParseEncoding("ndjson"), Encoding::kNdjson);
  EXPECT_EQ(*ParseEncoding("cloudevents-batch"), Encoding::kCloudEventsBatch);
  EXPECT_EQ(*ParseEncoding("cloudevents"), Encoding::kCloudEvents);
  EXPECT_EQ(*ParseEncoding("cloudevents-binary"), Encoding::kCloudEventsBinary);
  EXPECT_FALSE(MakeEncoder(Encoding::kNdjson)->single_event());
  EXPECT_FALSE(ParseEncoding("xml").ok());
}

}  // namespace
}  // namespace tributary
