#include "format/json_text.h"

#include <gtest/gtest.h>

#include <random>

#include "format/json_index.h"

namespace tributary {
namespace {

// The byte-at-a-time definition that the word-at-a-time scan must agree with.
size_t ReferenceFindJsonEscape(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return s.size();
}

TEST(JsonText, FindsTheFirstByteToEscapeAtEveryPosition) {
  // Each special byte (and bytes just outside the ranges) at every offset of a 0..100-byte
  // string, after bytes with the high bit set, which must never be flagged.
  const unsigned char specials[] = {0x00, 0x1f, '"', '\\', '\n'};
  for (size_t len = 0; len <= 100; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (unsigned char special : specials) {
        std::string s(len, '\xe9');
        for (size_t i = 0; i < len; i += 3) s[i] = static_cast<char>(0x20 + i % 0x5f);
        for (size_t i = 0; i < len; ++i) {
          if (ReferenceFindJsonEscape(std::string_view(&s[i], 1)) == 0) s[i] = 'x';
        }
        s[at] = static_cast<char>(special);
        ASSERT_EQ(FindJsonEscape(s), at) << "len " << len << " special " << int(special);
      }
    }
    std::string clean(len, 'a');
    EXPECT_EQ(FindJsonEscape(clean), len);
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 130, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 16 == 0 ? rng() % 0x30 : 0x20 + rng() % 0xe0);
    ASSERT_EQ(FindJsonEscape(s), ReferenceFindJsonEscape(s)) << s;
  }
}

TEST(JsonText, CountsQuotesUnlessThereIsSomethingToEscape) {
  auto reference = [](std::string_view s) {
    size_t quotes = 0;
    for (char ch : s) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c == '\\') return SIZE_MAX;
      quotes += c == '"';
    }
    return quotes;
  };
  std::mt19937 rng(5);
  for (size_t len = 0; len <= 100; ++len) {
    for (int round = 0; round < 300; ++round) {
      std::string s(len, 'a');
      for (char& c : s) {
        unsigned r = rng() % 64;
        c = r == 0 ? '\\' : r == 1 ? '\n' : r < 6 ? '"' : r < 8 ? '\xe9' : 'a';
      }
      ASSERT_EQ(CountQuotesUnlessEscapes(s), reference(s)) << "len " << len << ": " << s;
    }
  }
}

TEST(JsonText, AppendJsonStringRoundTripsThroughAParser) {
  std::mt19937 rng(11);
  simdjson::dom::parser parser;
  for (int round = 0; round < 5000; ++round) {
    std::string s(rng() % 60, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 3 == 0 ? rng() % 0x30 : 0x20 + rng() % 0x5f);
    std::string json;
    AppendJsonString(json, s);
    std::string_view back;
    ASSERT_EQ(parser.parse(json).get(back), simdjson::SUCCESS) << json;
    ASSERT_EQ(back, s) << json;
  }
  std::string json;
  AppendJsonString(json, std::string_view("a\"b\\c\nd\x01", 8));
  EXPECT_EQ(json, R"("a\"b\\c\nd\u0001")");
}

// True if `json` is refused: by simdjson's stage 1 or by the validation walk.
bool Refused(const std::string& json) {
  simdjson::padded_string padded(json);
  return !ValidateJsonDocument(std::string_view(padded.data(), padded.size())).ok();
}

TEST(JsonText, ValidationRefusesABadEscapeOrControlCharacterAnywhereInAStringOrKey) {
  for (size_t len = 1; len <= 30; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (bool in_key : {false, true}) {
        auto doc = [&](const std::string& text) {
          return in_key ? "{\"" + text + "\":1}" : "{\"k\":[\"" + text + "\"]}";
        };
        std::string control(len, 'v'), bad_escape(len + 1, 'v'), good_escape(len + 1, 'v');
        control[at] = '\t';
        bad_escape[at] = '\\', bad_escape[at + 1] = 'x';
        good_escape[at] = '\\', good_escape[at + 1] = 't';
        EXPECT_TRUE(Refused(doc(control))) << doc(control);
        EXPECT_TRUE(Refused(doc(bad_escape))) << doc(bad_escape);
        EXPECT_FALSE(Refused(doc(good_escape))) << doc(good_escape);
      }
    }
  }
  EXPECT_FALSE(Refused(R"({"a\tb\"":["x\ny\"z", "long string without escapes"]})"));
  EXPECT_TRUE(Refused(R"({"a":["\ud800 lone surrogate"]})"));
}

TEST(JsonText, TheStructureCursorFindsEachValueAsTheParserDoes) {
  // Strings that hide braces, quotes and backslashes, numbers and literals last in their
  // container, and space wherever JSON allows it.
  const std::string objects[] = {
      R"({})",
      R"( { "a" : 1 } )",
      R"({"a":"}{][,:\"","b":"\\","c":"\\\"","d\"k":[1,{"e":[]},"]"],"f":-1.5e+3})",
      "{\n\t\"s\": \"x\\u0022y\" ,\r\n \"n\" :null,\"t\":true,\"o\":{\"p\":{\"q\":[[],{}]}}}",
      R"({"data":{"k":"v"},"data_base64":"AA==","last":false})",
  };
  for (std::string obj : objects) {
    EnsurePadding(obj);
    simdjson::dom::element root;
    ASSERT_EQ(ParseJsonDom(obj, root), simdjson::SUCCESS) << obj;
    JsonStructureCursor whole(obj);
    EXPECT_EQ(whole.TakeValue(), TrimJsonSpace(obj));

    ondemand::parser parser;
    ondemand::document doc;
    ASSERT_FALSE(parser.iterate(obj.data(), obj.size(), obj.capacity()).get(doc)) << obj;
    JsonStructureCursor members(obj);
    ASSERT_EQ(members.current(), '{');
    members.Advance();
    for (auto field : doc.get_object()) {
      std::string_view key, value;
      ASSERT_TRUE(members.NextMember(key, value)) << obj;
      EXPECT_EQ(key, std::string_view(field.key().raw()).substr(0, key.size())) << obj;
      EXPECT_EQ(field.key().raw()[key.size()], '"') << obj;
      ondemand::value v = field.value();
      auto raw = RawJsonValue(v);
      ASSERT_TRUE(raw.ok());
      EXPECT_EQ(value, *raw) << obj;
    }
    std::string_view key, value;
    EXPECT_FALSE(members.NextMember(key, value)) << obj;
  }
}

}  // namespace
}  // namespace tributary
