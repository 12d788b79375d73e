#pragma once
// What Kafka sources and sinks share: a librdkafka configuration built from Tributary's
// defaults and the user's pass-through properties, librdkafka's logs in ours, and which
// errors are worth retrying.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/kafka_library.h"

namespace tributary {

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// A new rd_kafka_conf_t with `settings` applied in order (later ones win), the client named
// after `component`, logging to our log. The error names the property and librdkafka's reason.
Result<rd_kafka_conf_t*> MakeKafkaConf(const KafkaLibrary& lib, const std::string& component,
                                       const KafkaProperties& settings);

// Asks librdkafka whether it takes `properties`, so that `tributary check` can name the
// line. Ok where librdkafka is missing: starting the client says so.
Status CheckKafkaProperties(const KafkaProperties& properties);

// Creates the client (producer or consumer) from `conf`, which it takes in every case.
Result<rd_kafka_t*> MakeKafkaClient(const KafkaLibrary& lib, rd_kafka_type_t type,
                                    rd_kafka_conf_t* conf);

// False for errors that will fail the same way however often they are retried: the record
// is too large or invalid, the topic does not exist or may not be written.
bool IsRetryableKafkaError(rd_kafka_resp_err_t err);

// Checks a Kafka topic name: 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
bool IsValidKafkaTopic(std::string_view name);

}  // namespace tributary
