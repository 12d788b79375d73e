#pragma once
// The two collectors of the scale-out topology, as the Kafka tests run them (with
// CollectorProcess, which fills in {DIR} and {PORT}).

#include <string>

#include "kafka_test_client.h"

namespace tributary::testing_util {

// An edge: an HTTP source into the kafka sink `kafka`. `sink` holds the sink's own keys
// (its topic at least) and any sections after them.
inline std::string KafkaEdgeConfig(const std::string& sink) {
  return R"(
[storage]
data_dir = "{DIR}/data"
[sources.in]
type = "http"
address = "127.0.0.1:{PORT}"
[sinks.kafka]
type = "kafka"
brokers = ")" +
         Bootstrap() + "\"\n" + sink;
}

// A delivery worker: the kafka source `kafka` consuming `topic` in `group` into the file sink
// `files` under {DIR}/out, and an HTTP source for /metrics and /healthz. `source` holds more
// keys of the kafka source; `sink` more keys of the file sink and any sections after them.
inline std::string KafkaWorkerConfig(const std::string& topic, const std::string& group,
                                     const std::string& source, const std::string& sink) {
  return R"(
[storage]
data_dir = "{DIR}/data"
[sources.api]
type = "http"
address = "127.0.0.1:{PORT}"
[sources.kafka]
type = "kafka"
brokers = ")" +
         Bootstrap() + "\"\ntopics = [\"" + topic + "\"]\ngroup = \"" + group + "\"\n" + source +
         R"(
[sinks.files]
type = "file"
directory = "{DIR}/out"
)" + sink;
}

}  // namespace tributary::testing_util
