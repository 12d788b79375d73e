#pragma once
// What the Kafka tests need of the real broker, through librdkafka linked directly: create
// topics, produce records as another application would, read every record of a topic back
// with its key and headers, and read a group's committed offsets. The broker itself is
// started by run.sh, which passes its address in TRIBUTARY_KAFKA_BOOTSTRAP.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tributary::testing_util {

inline std::string Bootstrap() {
  const char* b = std::getenv("TRIBUTARY_KAFKA_BOOTSTRAP");
  if (!b || !*b) {
    ADD_FAILURE() << "TRIBUTARY_KAFKA_BOOTSTRAP is not set: run these tests with "
                     "tests/kafka/run.sh, which starts the broker (make test does)";
    return "127.0.0.1:1";
  }
  return b;
}

// `name` made unique to this test run, so that runs against one broker do not meet.
inline std::string Unique(const std::string& name) {
  return name + "-" + std::to_string(::getpid());
}

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;

  std::optional<std::string> Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
};

class KafkaClient {
 public:
  // A producer or a consumer (with `group`, no automatic commits) on the test broker.
  explicit KafkaClient(rd_kafka_type_t type, const std::string& group = "") {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    Set(conf, "bootstrap.servers", Bootstrap());
    if (type == RD_KAFKA_CONSUMER) {
      Set(conf, "group.id", group.empty() ? "tributary-test-reader" : group);
      Set(conf, "enable.auto.commit", "false");
      Set(conf, "enable.partition.eof", "false");
    }
    char err[512];
    rk_ = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk_) ADD_FAILURE() << "rd_kafka_new: " << err;
  }
  ~KafkaClient() {
    if (rk_) rd_kafka_destroy(rk_);
  }
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;
  rd_kafka_t* rk() { return rk_; }

 private:
  static void Set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      ADD_FAILURE() << k << ": " << err;
  }
  rd_kafka_t* rk_ = nullptr;
};

// Creates `topic` with `partitions` partitions (replication 1) and waits for it.
inline void CreateTopic(const std::string& topic, int partitions) {
  KafkaClient admin(RD_KAFKA_PRODUCER);
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, nullptr, 0);
  rd_kafka_queue_t* q = rd_kafka_queue_new(admin.rk());
  rd_kafka_CreateTopics(admin.rk(), &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30'000);
  ASSERT_NE(ev, nullptr) << "no answer to CreateTopics";
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    EXPECT_TRUE(err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        << topic << ": " << rd_kafka_err2str(err);
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
}

// The number of partitions of `topic` (0 if it is unknown).
inline int PartitionCount(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int n = 0;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      n = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(rkt);
  return n;
}

// Produces records as another application would, and waits until all are acknowledged.
class TestProducer {
 public:
  TestProducer() : client_(RD_KAFKA_PRODUCER) {}
  void Send(const std::string& topic, const std::optional<std::string>& key,
            const std::string& value,
            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    rd_kafka_headers_t* h = rd_kafka_headers_new(headers.size());
    for (const auto& [k, v] : headers)
      rd_kafka_header_add(h, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                          static_cast<ssize_t>(v.size()));
    const char* key_data = key ? key->data() : nullptr;
    size_t key_size = key ? key->size() : 0;
    rd_kafka_resp_err_t err =
        rd_kafka_producev(client_.rk(), RD_KAFKA_V_TOPIC(topic.c_str()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_HEADERS(h),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) {
      rd_kafka_headers_destroy(h);
      ADD_FAILURE() << "produce: " << rd_kafka_err2str(err);
    }
    rd_kafka_poll(client_.rk(), 0);
  }
  void Flush() { EXPECT_EQ(rd_kafka_flush(client_.rk(), 30'000), RD_KAFKA_RESP_ERR_NO_ERROR); }

 private:
  KafkaClient client_;
};

// Every record of `topic` from the beginning, until `expect` arrived or `limit` passed, then
// until nothing more comes for a moment (so that extra records are seen too).
inline std::vector<Record> ReadAll(const std::string& topic, size_t expect,
                                   std::chrono::seconds limit = std::chrono::seconds(60)) {
  KafkaClient consumer(RD_KAFKA_CONSUMER);
  int partitions = PartitionCount(consumer.rk(), topic);
  EXPECT_GT(partitions, 0) << "topic " << topic << " does not exist";
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer.rk(), list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<Record> out;
  auto until = std::chrono::steady_clock::now() + limit;
  auto quiet_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < until) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.rk(), 100);
    if (!m) {
      if (out.size() >= expect &&
          std::chrono::steady_clock::now() - quiet_since > std::chrono::milliseconds(500))
        break;
      continue;
    }
    quiet_since = std::chrono::steady_clock::now();
    if (m->err) {
      rd_kafka_message_destroy(m);
      continue;
    }
    Record r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    if (m->key) r.key = std::string(static_cast<const char*>(m->key), m->key_len);
    if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
    rd_kafka_headers_t* h = nullptr;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &value, &size) == 0; ++i)
        r.headers.emplace_back(
            name, value ? std::string(static_cast<const char*>(value), size) : std::string());
    }
    out.push_back(std::move(r));
    rd_kafka_message_destroy(m);
  }
  return out;
}

// The offsets `group` committed for each partition of `topic` (-1 = none).
inline std::map<int32_t, int64_t> Committed(const std::string& group, const std::string& topic) {
  KafkaClient consumer(RD_KAFKA_CONSUMER, group);
  int partitions = PartitionCount(consumer.rk(), topic);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  std::map<int32_t, int64_t> out;
  if (rd_kafka_committed(consumer.rk(), list, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

// The number of records in `topic`: the sum of its partitions' end offsets.
inline int64_t EndOffsetTotal(const std::string& topic) {
  KafkaClient client(RD_KAFKA_PRODUCER);
  int64_t total = 0;
  for (int p = 0, n = PartitionCount(client.rk(), topic); p < n; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(client.rk(), topic.c_str(), p, &low, &high, 10'000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR)
      total += high;
  }
  return total;
}

inline int64_t CommittedTotal(const std::string& group, const std::string& topic) {
  int64_t total = 0;
  for (const auto& [p, o] : Committed(group, topic)) total += o > 0 ? o : 0;
  return total;
}

}  // namespace tributary::testing_util
