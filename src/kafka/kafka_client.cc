#include "kafka/kafka_client.h"

#include <spdlog/spdlog.h>

namespace tributary {
namespace {

// librdkafka's log levels are syslog's; its clients are named after their component.
void LogToSpdlog(const rd_kafka_t*, int level, const char* facility, const char* message) {
  spdlog::level::level_enum l = level <= 3   ? spdlog::level::err
                                : level == 4 ? spdlog::level::warn
                                : level <= 6 ? spdlog::level::info
                                             : spdlog::level::debug;
  spdlog::log(l, "librdkafka {}: {}", facility, message);
}

}  // namespace

Result<rd_kafka_conf_t*> MakeKafkaConf(const KafkaLibrary& lib, const std::string& component,
                                       const KafkaProperties& settings) {
  rd_kafka_conf_t* conf = lib.conf_new();
  char err[512];
  // Before the settings, which may name the client themselves.
  lib.conf_set(conf, "client.id", ("tributary-" + component).c_str(), err, sizeof err);
  for (const auto& [name, value] : settings) {
    if (lib.conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      lib.conf_destroy(conf);
      return InvalidArgument("Kafka property `" + name + "` = \"" + value +
                             "\" refused by librdkafka: " + err);
    }
  }
  lib.conf_set_log_cb(conf, LogToSpdlog);
  return conf;
}

Status CheckKafkaProperties(const KafkaProperties& properties) {
  auto lib = LoadKafka();
  if (!lib || properties.empty()) return Status::Ok();
  auto conf = MakeKafkaConf(**lib, "check", properties);
  if (!conf) return conf.status();
  (*lib)->conf_destroy(*conf);
  return Status::Ok();
}

Result<rd_kafka_t*> MakeKafkaClient(const KafkaLibrary& lib, rd_kafka_type_t type,
                                    rd_kafka_conf_t* conf) {
  char err[512];
  rd_kafka_t* rk = lib.create(type, conf, err, sizeof err);  // owns conf on success
  if (!rk) {
    lib.conf_destroy(conf);
    return InvalidArgument(std::string("cannot create the Kafka client: ") + err);
  }
  return rk;
}

bool IsRetryableKafkaError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return false;
    default:
      return true;
  }
}

bool IsValidKafkaTopic(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace tributary
