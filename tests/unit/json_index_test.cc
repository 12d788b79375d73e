#include "format/json_index.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "format/json_text.h"

namespace tributary {
namespace {

simdjson::error_code Index(const std::string& json, JsonTops* tops = nullptr) {
  simdjson::padded_string padded(json);
  return IndexJson(std::string_view(padded.data(), padded.size()), tops);
}
bool IndexAccepts(const std::string& json, JsonTops* tops = nullptr) {
  return Index(json, tops) == simdjson::SUCCESS;
}

// simdjson's DOM parser, the reference, where it can judge: it also refuses integers beyond
// 64 bits, numbers beyond a double and deeper nesting than it was sized for, all valid JSON.
std::optional<bool> DomJudges(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.allocate(json.size() + 64, 128)) return std::nullopt;  // the depth we allow
  auto e = parser.parse(json).get(root);
  if (e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE ||
      e == simdjson::DEPTH_ERROR)
    return std::nullopt;
  return e == simdjson::SUCCESS;
}

TEST(JsonIndex, VouchesOnlyForValidJsonAndForAllOfTheUsualKind) {
  const std::vector<std::string> valid = {
      R"({})",
      R"([])",
      R"( [ {} , { "a" : [ ] } ] )",
      R"({"a":"}{][,:\"","b":"\\","c":"\\\"","d\"k":[1,{"e":[]},"]"],"f":-1.5e+3})",
      "{\n\t\"s\": \"x\\u0022y\" ,\r\n \"n\" :null,\"t\":true,\"o\":{\"p\":{\"q\":[[],{}]}}}",
      R"({"esc":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"})",
      R"([0,-0,1.5,-2.25e-7,3E+2,1e400,123456789012345678901234567890])",
      R"(["\udbff\udfff"])",
      R"("just a string")",
      R"(42)",
      R"(true)",
      R"(null)",
      std::string(128, '[') + std::string(128, ']'),
  };
  for (const auto& doc : valid) {
    EXPECT_TRUE(IndexAccepts(doc)) << doc.substr(0, 140);
    EXPECT_NE(DomJudges(doc), std::optional<bool>(false)) << doc.substr(0, 140);
  }
  const std::vector<std::string> refused = {
      "",
      "   ",
      R"({"a":1,})",
      R"([1,])",
      R"([,1])",
      R"({"a" 1})",
      R"({"a":})",
      R"({1:2})",
      R"({"a":1}x)",
      R"({"a":1}{})",
      R"([1 2])",
      R"(["a""b"])",
      R"(["a"1])",
      R"([1"a"])",
      R"([tru])",
      R"([truex])",
      R"([nul])",
      R"([01])",
      R"([1.])",
      R"([.5])",
      R"([-])",
      R"([1e])",
      R"([+1])",
      R"(["\q"])",
      R"(["\u12G4"])",
      R"(["\u12"])",
      R"(["\ud800"])",
      R"(["\udc00\ud800"])",
      R"(["\ud800\u0041"])",
      "[\"tab\there\"]",
      "[\"\xff\"]",
      R"(["unclosed)",
      R"({"a":[}])",
      R"([{]})",
      R"(])",
      R"(})",
      R"(:)",
      std::string(129, '[') + std::string(129, ']'),
  };
  for (const auto& doc : refused) {
    EXPECT_FALSE(IndexAccepts(doc)) << doc.substr(0, 140);
    EXPECT_NE(DomJudges(doc), std::optional<bool>(true)) << doc.substr(0, 140);
  }
  // Errors are named as simdjson names them.
  EXPECT_EQ(Index(R"({"a":1,})"), simdjson::TAPE_ERROR);
  EXPECT_EQ(Index(R"({"a":1}x)"), simdjson::TRAILING_CONTENT);
  EXPECT_EQ(Index(R"([tru])"), simdjson::T_ATOM_ERROR);
  EXPECT_EQ(Index(R"([01])"), simdjson::NUMBER_ERROR);
  EXPECT_EQ(Index(R"(["\q"])"), simdjson::STRING_ERROR);
  EXPECT_EQ(Index("[\"tab\there\"]"), simdjson::UNESCAPED_CHARS);
  EXPECT_EQ(Index(std::string(129, '[') + std::string(129, ']')), simdjson::DEPTH_ERROR);
}

// Random edits of valid documents: the index walk accepts exactly what the DOM accepts, where
// the DOM can judge.
TEST(JsonIndex, AgreesWithTheDomOnRandomEdits) {
  const std::string seeds[] = {
      R"([{"ts":"2026-11-23T08:00:00.000Z","score":0.97,"box":[12,40,220,380],"ok":true,"n":null}])",
      R"({"a":{"b":[1,-2.5e3,"x\"y\\z",{"c":false}]},"d":"\u00e9\ud83d\ude00"})",
      R"([[],{},"",0,[{"k":[]}]])",
  };
  const std::string alphabet = "{}[],:\"\\ 0123456789-+.eEtrufalsn\t\nxud";
  std::mt19937 rng(7);
  int valid = 0, invalid = 0;
  for (const auto& seed : seeds) {
    for (int round = 0; round < 5000; ++round) {
      std::string doc = seed;
      for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0 && !doc.empty(); --edits) {
        size_t at = rng() % doc.size();
        char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0:
            doc[at] = c;
            break;
          case 1:
            doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
          default:
            doc.erase(at, 1);
        }
      }
      std::optional<bool> dom = DomJudges(doc);
      if (!dom) continue;
      EXPECT_EQ(IndexAccepts(doc), *dom) << doc;
      ++(*dom ? valid : invalid);
    }
  }
  EXPECT_GT(valid, 500);  // the edits leave enough of each kind to mean something
  EXPECT_GT(invalid, 5000);
}

// The padding after a text may hold anything, digits too: a number that ends the text ends
// there.
TEST(JsonIndex, ReadsNothingPastTheEndOfTheText) {
  for (std::string number : {"42", "-1.5", "2e7"}) {
    std::string buffer = number + std::string(simdjson::SIMDJSON_PADDING + 8, '7');
    EXPECT_EQ(IndexJson(std::string_view(buffer.data(), number.size())), simdjson::SUCCESS)
        << number;
  }
}

TEST(JsonIndex, FindsTheEventsOfABodyAndWhichHaveTheKey) {
  JsonTops tops{.key = "specversion", .values = {}};
  std::string body =
      R"( [ {"a":{"specversion":1}} , {"x":[{}],"specversion":"1.0"},{} ,7,"s", [1] ] )";
  ASSERT_TRUE(IndexAccepts(body, &tops));
  std::vector<std::string> texts;
  for (const auto& v : tops.values) texts.push_back(body.substr(v.start, v.end - v.start));
  EXPECT_EQ(texts, (std::vector<std::string>{R"({"a":{"specversion":1}})",
                                             R"({"x":[{}],"specversion":"1.0"})", "{}", "7",
                                             R"("s")", "[1]"}));
  std::vector<bool> objects, keyed;
  for (const auto& v : tops.values) objects.push_back(v.is_object), keyed.push_back(v.has_key);
  EXPECT_EQ(objects, (std::vector<bool>{true, true, true, false, false, false}));
  EXPECT_EQ(keyed, (std::vector<bool>{false, true, false, false, false, false}));

  // A cursor starts at an event's first structural.
  simdjson::padded_string padded(body);
  ASSERT_EQ(IndexJson(std::string_view(padded.data(), padded.size()), &tops), simdjson::SUCCESS);
  JsonStructureCursor at(std::string_view(padded.data(), padded.size()), tops.values[1].structural);
  EXPECT_EQ(at.TakeValue(), texts[1]);

  // A document that is not an array is its own one event.
  std::string single = R"(  {"specversion" : "1.0", "id":"x"}  )";
  ASSERT_TRUE(IndexAccepts(single, &tops));
  ASSERT_EQ(tops.values.size(), 1u);
  EXPECT_EQ(single.substr(tops.values[0].start, tops.values[0].end - tops.values[0].start),
            R"({"specversion" : "1.0", "id":"x"})");
  EXPECT_TRUE(tops.values[0].has_key);
  ASSERT_TRUE(IndexAccepts("[]", &tops));
  EXPECT_TRUE(tops.values.empty());
}

}  // namespace
}  // namespace tributary
