// The CloudEvents Kafka binding's consuming side, and the templates that name records.
#include "format/kafka_binding.h"

#include <gtest/gtest.h>

#include "format/attribute_template.h"
#include "format/json_text.h"
#include "routing/route_rule.h"

namespace tributary {
namespace {

// A batch whose input is `value`, as the kafka source builds it.
struct Decoded {
  std::shared_ptr<EventBatch> batch;
  Status status;
  std::vector<EventError> errors;

  std::string Attr(size_t i, std::string_view name) const {
    std::string_view v;
    return LookupAttribute(*batch, batch->events()[i], name, &v) ? std::string(v) : "<absent>";
  }
};

Decoded Decode(std::string value, std::vector<HeaderField> headers, std::string_view key = {},
               std::string_view topic = "orders") {
  static const JsonMapping kMapping;
  Decoded d;
  EnsurePadding(value);
  d.batch = std::make_shared<EventBatch>(std::move(value));
  ParseOptions opts;
  opts.mapping = &kMapping;
  KafkaRecordView r{topic, key, d.batch->input(), headers};
  d.status = DecodeKafkaRecord(r, *d.batch, opts, d.errors);
  return d;
}

TEST(KafkaBinding, BinaryModeTakesCeUnderscoreHeadersAsTheyAre) {
  Decoded d = Decode(R"({"x":1})", {{"ce_specversion", "1.0"},
                                    {"ce_id", "a%20b"},
                                    {"ce_source", "/s"},
                                    {"ce_type", "t"},
                                    {"ce_traceparent", "00-ab"},
                                    {"content-type", "application/json"},
                                    {"other", "ignored"}});
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch->size(), 1u);
  EXPECT_EQ(d.Attr(0, "id"), "a%20b");  // Kafka headers are not percent-encoded
  EXPECT_EQ(d.Attr(0, "traceparent"), "00-ab");
  EXPECT_EQ(d.Attr(0, "datacontenttype"), "application/json");
  EXPECT_EQ(d.Attr(0, "topic"), "orders");
  EXPECT_EQ(d.batch->events()[0].data, R"({"x":1})");
}

TEST(KafkaBinding, StructuredModeKeepsTheEventsOwnTopicAndPartitionKey) {
  Decoded d = Decode(
      R"({"specversion":"1.0","id":"1","source":"/s","type":"t","topic":"mine","partitionkey":"p"})",
      {{"content-type", "application/cloudevents+json; charset=utf-8"}}, "record-key");
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.Attr(0, "topic"), "mine");
  EXPECT_EQ(d.Attr(0, "partitionkey"), "p");
}

TEST(KafkaBinding, PlainJsonIsMappedWithTheTopicAndTheKeyAsPartitionKey) {
  Decoded d = Decode(R"([{"a":1},{"a":2}])", {}, "dev-7");
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch->size(), 2u);
  EXPECT_EQ(d.Attr(1, "type"), "tributary.json");
  EXPECT_EQ(d.Attr(1, "topic"), "orders");
  EXPECT_EQ(d.Attr(1, "partitionkey"), "dev-7");
}

TEST(KafkaBinding, BadRecordsLeaveNothingBehindAndSayWhy) {
  Decoded bad = Decode("not json", {});
  EXPECT_FALSE(bad.status.ok());
  EXPECT_EQ(bad.batch->size(), 0u);
  Decoded empty = Decode("", {});
  EXPECT_FALSE(empty.status.ok());
  EXPECT_NE(empty.errors.at(0).message.find("not an event"), std::string::npos);
  Decoded missing = Decode("{}", {{"ce_specversion", "1.0"}, {"ce_id", "1"}});
  EXPECT_FALSE(missing.status.ok());
  EXPECT_EQ(missing.batch->size(), 0u);
  // A record of two events, the second invalid: neither stays.
  Decoded half = Decode(R"([{"specversion":"1.0","id":"1","source":"/s","type":"t"},
                            {"specversion":"1.0","id":"2","source":"/s"}])",
                        {{"content-type", "application/cloudevents-batch+json"}});
  EXPECT_FALSE(half.status.ok());
  EXPECT_EQ(half.batch->size(), 0u);
}

TEST(AttributeTemplate, ExpandsAttributesSinkExtensionsAndDataPointers) {
  Decoded d = Decode(R"({"device":{"id":"cam-3","n":7,"on":true},"list":[1,2]})",
                     {{"ce_specversion", "1.0"},
                      {"ce_id", "1"},
                      {"ce_source", "/s"},
                      {"ce_type", "vision.frame"},
                      {"content-type", "application/json"}});
  ASSERT_TRUE(d.status.ok());
  const Event& e = d.batch->events()[0];
  Enrichment en;
  en.extensions = {{"pipelineid", "p9"}};
  auto expand = [&](std::string_view t) {
    auto tmpl = AttributeTemplate::Parse(t);
    EXPECT_TRUE(tmpl) << tmpl.status().message();
    std::string out;
    if (tmpl) tmpl->Expand(*d.batch, e, &en, out);
    return out;
  };
  EXPECT_EQ(expand("events.{type}"), "events.vision.frame");
  EXPECT_EQ(expand("{pipelineid}-{topic}"), "p9-orders");
  EXPECT_EQ(expand("{/device/id}"), "cam-3");
  EXPECT_EQ(expand("{/device/n}/{/device/on}/{/list}"), "7/true/[1,2]");
  EXPECT_EQ(expand("{/missing}{subject}"), "");
  EXPECT_EQ(expand("plain"), "plain");
  EXPECT_FALSE(AttributeTemplate::Parse("{type"));
  EXPECT_FALSE(AttributeTemplate::Parse("type}"));
  EXPECT_FALSE(AttributeTemplate::Parse("{Type}"));
}

}  // namespace
}  // namespace tributary
