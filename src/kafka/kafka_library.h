#pragma once
// librdkafka is opened when the first Kafka source or sink is built, not linked into the
// binary: it brings OpenSSL, SASL, LZ4 and zstd, whose relocated pages would cost every
// collector resident memory, also the many that never talk to Kafka.

#include <librdkafka/rdkafka.h>

#include "core/status.h"

namespace tributary {

// X(member, symbol) for each librdkafka function Tributary calls.
#define TRIBUTARY_KAFKA_FUNCTIONS(X)                                       \
  X(version_str, rd_kafka_version_str)                                     \
  X(err2str, rd_kafka_err2str)                                             \
  X(conf_new, rd_kafka_conf_new)                                           \
  X(conf_set, rd_kafka_conf_set)                                           \
  X(conf_destroy, rd_kafka_conf_destroy)                                   \
  X(conf_set_opaque, rd_kafka_conf_set_opaque)                             \
  X(conf_set_dr_msg_cb, rd_kafka_conf_set_dr_msg_cb)                       \
  X(conf_set_error_cb, rd_kafka_conf_set_error_cb)                         \
  X(conf_set_log_cb, rd_kafka_conf_set_log_cb)                             \
  X(conf_set_rebalance_cb, rd_kafka_conf_set_rebalance_cb)                 \
  X(conf_get_default_topic_conf, rd_kafka_conf_get_default_topic_conf)     \
  X(conf_set_default_topic_conf, rd_kafka_conf_set_default_topic_conf)     \
  X(topic_conf_new, rd_kafka_topic_conf_new)                               \
  X(topic_conf_set_opaque, rd_kafka_topic_conf_set_opaque)                 \
  X(topic_conf_set_partitioner_cb, rd_kafka_topic_conf_set_partitioner_cb) \
  X(partitioner_murmur2_random, rd_kafka_msg_partitioner_murmur2_random)   \
  X(create, rd_kafka_new)                                                  \
  X(destroy, rd_kafka_destroy)                                             \
  X(poll, rd_kafka_poll)                                                   \
  X(flush, rd_kafka_flush)                                                 \
  X(fatal_error, rd_kafka_fatal_error)                                     \
  X(topic_new, rd_kafka_topic_new)                                         \
  X(topic_destroy, rd_kafka_topic_destroy)                                 \
  X(topic_name, rd_kafka_topic_name)                                       \
  X(producev, rd_kafka_producev)                                           \
  X(headers_new, rd_kafka_headers_new)                                     \
  X(headers_destroy, rd_kafka_headers_destroy)                             \
  X(header_add, rd_kafka_header_add)                                       \
  X(message_headers, rd_kafka_message_headers)                             \
  X(header_get_all, rd_kafka_header_get_all)                               \
  X(message_destroy, rd_kafka_message_destroy)                             \
  X(poll_set_consumer, rd_kafka_poll_set_consumer)                         \
  X(subscribe, rd_kafka_subscribe)                                         \
  X(consumer_poll, rd_kafka_consumer_poll)                                 \
  X(consumer_close, rd_kafka_consumer_close)                               \
  X(commit, rd_kafka_commit)                                               \
  X(assign, rd_kafka_assign)                                               \
  X(incremental_assign, rd_kafka_incremental_assign)                       \
  X(incremental_unassign, rd_kafka_incremental_unassign)                   \
  X(rebalance_protocol, rd_kafka_rebalance_protocol)                       \
  X(pause_partitions, rd_kafka_pause_partitions)                           \
  X(resume_partitions, rd_kafka_resume_partitions)                         \
  X(get_watermark_offsets, rd_kafka_get_watermark_offsets)                 \
  X(error_string, rd_kafka_error_string)                                   \
  X(error_destroy, rd_kafka_error_destroy)                                 \
  X(topic_partition_list_new, rd_kafka_topic_partition_list_new)           \
  X(topic_partition_list_add, rd_kafka_topic_partition_list_add)           \
  X(topic_partition_list_destroy, rd_kafka_topic_partition_list_destroy)

// The librdkafka functions Tributary calls, resolved from the shared library.
struct KafkaLibrary {
#define TRIBUTARY_KAFKA_MEMBER(member, symbol) decltype(&symbol) member;
  TRIBUTARY_KAFKA_FUNCTIONS(TRIBUTARY_KAFKA_MEMBER)
#undef TRIBUTARY_KAFKA_MEMBER
};

// Opens librdkafka once per process (thread-safe). The error names the library or symbol
// that is missing and the package that provides it.
Result<const KafkaLibrary*> LoadKafka();

}  // namespace tributary
