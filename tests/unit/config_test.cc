#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

namespace tributary {
namespace {

constexpr const char* kMinimal = R"([sources.in]
type = "http"
address = "127.0.0.1:9000"

[sinks.archive]
type = "file"
directory = "/tmp/x"
)";

std::string ErrorOf(const std::string& toml) {
  try {
    LoadConfig(toml, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, TheBuiltInDefaultLoads) {
  Config c = LoadConfig(DefaultConfigText(), "<default>");
  ASSERT_EQ(c.sources.size(), 1u);
  EXPECT_EQ(c.sources[0].http.address, "127.0.0.1:8080");
  ASSERT_EQ(c.sinks.size(), 1u);
  EXPECT_EQ(c.sinks[0].type, "file");
  EXPECT_EQ(c.sinks[0].batch.max_events, 1000u);
  EXPECT_EQ(c.sinks[0].batch.max_bytes, 5u << 20);
  EXPECT_EQ(c.sinks[0].batch.max_age, std::chrono::seconds(5));
  EXPECT_EQ(c.sinks[0].topics, std::vector<std::string>{"#"});
  EXPECT_EQ(c.sources[0].http.max_body_bytes, 16u << 20);
  EXPECT_EQ(c.runtime.grace_period, std::chrono::seconds(30));
}

TEST(Config, AMisspelledKeyNamesTheKeyItsLineAndAHint) {
  std::string toml = std::string(kMinimal) + "\n[sinks.archive.batch]\nmax_evnts = 10\n";
  std::string err = ErrorOf(toml);
  EXPECT_NE(err.find("test.toml:10:"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown key `max_evnts`"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean `max_events`"), std::string::npos) << err;
}

TEST(Config, BadValuesAreErrorsWithLines) {
  std::string base = kMinimal;
  EXPECT_NE(ErrorOf(base + "compression = \"lz4\"\n").find("test.toml:8:"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "[sinks.archive.batch]\nmax_bytes = \"5 parsecs\"\n")
                .find("unknown size unit"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[sinks.archive.batch]\nmax_age = \"5 fortnights\"\n").find("duration"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[sinks.archive.batch]\nmax_events = 0\n").find("between 1 and"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "topics = [\"a/#/b\"]\n").find("'#' must be the last level"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(base + "[sinks.other]\ntype = \"nosuch\"\n").find("unknown sink type \"nosuch\""),
      std::string::npos);
  EXPECT_NE(
      ErrorOf(base + "[sinks.archive.queue]\nwhen_full = \"panic\"\n").find("expected one of"),
      std::string::npos);
  EXPECT_NE(ErrorOf(base + "path = \"{year}.ndjson\"\n").find("unknown placeholder {year}"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[routes.r]\nsinks = [\"nope\"]\n").find("sink `nope`"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[sourcez.x]\n").find("did you mean `sources`"), std::string::npos);
  EXPECT_NE(ErrorOf("[sinks.a]\ntype = \"blackhole\"\n").find("no sources"), std::string::npos);
  EXPECT_NE(ErrorOf("x = = 1").find("test.toml:1:"), std::string::npos);
  // A file holds batches, one after the other: no single-event encodings, no concurrency.
  EXPECT_NE(ErrorOf(base + "encoding = \"cloudevents-binary\"\n").find("writes batches"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "concurrency = 4\n").find("one batch at a time"), std::string::npos);
}

TEST(Config, TheHttpSinkTakesEveryEncodingAndConcurrency) {
  std::string toml = R"([sources.in]
type = "http"
address = "127.0.0.1:9000"
[sinks.api]
type = "http"
url = "https://api.example.com/v1/events"
encoding = "cloudevents-binary"
concurrency = 4
)";
  Config c = LoadConfig(toml, "test.toml");
  EXPECT_EQ(c.sinks[0].encoding, "cloudevents-binary");
  EXPECT_EQ(c.sinks[0].concurrency, 4u);
  EXPECT_EQ(c.sinks[0].compression, "gzip");  // the http sink's default
}

TEST(Config, KafkaSourcesAndSinksAreCheckedWhereTheyAreWritten) {
  constexpr const char* kKafka = R"([sources.in]
type = "kafka"
brokers = "127.0.0.1:9092"
topics = ["events", "^cam\\..*"]
[sinks.out]
type = "kafka"
brokers = "127.0.0.1:9092"
topic = "archive.{type}"
key = "{/device/id}"
)";
  Config c = LoadConfig(kKafka, "test.toml");
  EXPECT_EQ(c.sources[0].type, "kafka");
  EXPECT_EQ(c.sinks[0].encoding, "cloudevents-binary");  // the kafka sink's defaults
  EXPECT_EQ(c.sinks[0].compression, "zstd");
  std::string base = kKafka;
  // One record per event: batch encodings make no sense.
  EXPECT_NE(ErrorOf(base + "encoding = \"ndjson\"\n").find("one record per event"),
            std::string::npos);
  std::string bad_key = base;
  bad_key.replace(bad_key.find("{/device/id}"), 12, "{Bad Name}");
  EXPECT_NE(ErrorOf(bad_key).find("test.toml:9:7: template \"{Bad Name}\""), std::string::npos)
      << ErrorOf(bad_key);
  // librdkafka's own properties are checked by librdkafka, at the line that sets them.
  EXPECT_NE(ErrorOf(base + "properties = { \"linger.ms\" = \"soon\" }\n").find("test.toml:10:"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "properties = { \"no.such.property\" = \"1\" }\n")
                .find("refused by librdkafka"),
            std::string::npos);
  std::string source = R"([sinks.out]
type = "blackhole"
[sources.in]
type = "kafka"
brokers = "127.0.0.1:9092"
)";
  EXPECT_NE(ErrorOf(source).find("needs `topics`"), std::string::npos);
  EXPECT_NE(ErrorOf(source + "topics = [\"e\"]\nproperties = { \"enable.auto.commit\" = "
                             "\"true\" }\n")
                .find("cannot be set"),
            std::string::npos);
  EXPECT_NE(ErrorOf(source + "topics = [\"e\"]\nproperties = { "
                             "\"partition.assignment.strategy\" = \"cooperative-sticky\" }\n")
                .find("eager rebalance protocol"),
            std::string::npos);
}

TEST(Config, ParsesSizesDurationsRoutesAndLists) {
  std::string toml = std::string(kMinimal) + R"(topics = "cams/#, other"
compression = "zstd"

[sinks.archive.batch]
max_bytes = "512KiB"
max_age = "250ms"

[routes.vision]
match.type = { prefix = "vision." }
match.subject = "cam1"
match.partitionkey = { exists = true }
sinks = ["archive"]
set = { pipelineid = "p1" }
)";
  Config c = LoadConfig(toml, "t.toml");
  EXPECT_EQ(c.sinks[0].batch.max_bytes, 512u << 10);
  EXPECT_EQ(c.sinks[0].batch.max_age, std::chrono::milliseconds(250));
  EXPECT_EQ(c.sinks[0].topics, (std::vector<std::string>{"cams/#", "other"}));
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].match.size(), 3u);
  EXPECT_EQ(c.routes[0].set[0].second, "p1");
}

TEST(Config, EnvironmentOverridesAndExpansion) {
  ::setenv("TRIBUTARY_SINKS_ARCHIVE_BATCH_MAX_EVENTS", "77", 1);
  ::setenv("TRIBUTARY_TEST_DIR", "/var/data", 1);
  std::string toml =
      std::string(kMinimal) + "\n[storage]\ndata_dir = \"${TRIBUTARY_TEST_DIR}/state\"\n";
  Config c = LoadConfig(toml, "t.toml");
  EXPECT_EQ(c.sinks[0].batch.max_events, 77u);
  EXPECT_EQ(c.storage.data_dir, "/var/data/state");
  ::setenv("TRIBUTARY_SINKS_ARCHIVE_BATCH_MAX_EVENTS", "many", 1);
  EXPECT_NE(ErrorOf(kMinimal).find("TRIBUTARY_SINKS_ARCHIVE_BATCH_MAX_EVENTS"), std::string::npos);
  ::unsetenv("TRIBUTARY_SINKS_ARCHIVE_BATCH_MAX_EVENTS");

  EXPECT_NE(ErrorOf(std::string(kMinimal) + "[storage]\ndata_dir = \"${TRIBUTARY_UNSET_VAR}\"\n")
                .find("TRIBUTARY_UNSET_VAR is not set"),
            std::string::npos);
  Config d = LoadConfig(
      std::string(kMinimal) + "[storage]\ndata_dir = \"${TRIBUTARY_UNSET_VAR:-/d}$$x\"\n", "t");
  EXPECT_EQ(d.storage.data_dir, "/d$x");
}

// The README's config reference is generated from the option tables; keep it current.
TEST(Config, ReadmeReferenceIsCurrent) {
  std::ifstream in(std::string(TRIBUTARY_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string readme = ss.str();
  const std::string begin = "<!-- config-reference:begin -->\n",
                    end = "<!-- config-reference:end -->";
  size_t b = readme.find(begin), e = readme.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), ConfigReference())
      << "run: build/dev/tributary config-reference, and paste it between the markers in README.md";
}

}  // namespace
}  // namespace tributary
