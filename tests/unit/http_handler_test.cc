#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "buffer/memory_buffer.h"
#include "pipeline/ingest.h"
#include "routing/router.h"
#include "sources/http/handler.h"

namespace tributary {
namespace {

// A memory buffer that counts the appends it is asked for.
class CountingBuffer final : public Buffer {
 public:
  explicit CountingBuffer(QueueLimits limits) : memory_({"s"}, {limits}) {}
  void Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
              AppendCallback done) override {
    ++appends;
    memory_.Append(batch, masks, std::move(done));
  }
  QueueReader& Reader(size_t sink) override { return memory_.Reader(sink); }
  void Close() override { memory_.Close(); }
  AppendOutcome RefusesAll(uint64_t bytes) override { return memory_.RefusesAll(bytes); }
  uint64_t FreedCount() const override { return memory_.FreedCount(); }

  int appends = 0;

 private:
  MemoryBuffer memory_;
};

class HttpHandlerTest : public testing::Test {
 protected:
  HttpHandlerTest()
      : buffer_(Limits()),
        router_(Router::Make(Subscriptions(), {}, std::nullopt)),
        ingest_(*router_, buffer_, metrics_),
        handler_("in", config_, api_, ingest_, metrics_, SystemClock::Get()) {}

  static std::vector<SinkSubscription> Subscriptions() {
    std::vector<SinkSubscription> subs;
    subs.push_back({"s", {*TopicPattern::Parse("#", "/.")}});
    return subs;
  }
  static QueueLimits Limits() {
    QueueLimits l;
    l.max_events = 1;
    l.when_full = FullPolicy::kBlock;
    l.block_timeout = std::chrono::milliseconds(300);
    return l;
  }
  // Posts one event; the answer, once there is one, lands in `answer`.
  void Post(std::optional<HttpAnswer>& answer) {
    http::request<http::string_body> req{http::verb::post, "/v1/events", 11};
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"n":1})";
    handler_.Handle(std::move(req), ioc_.get_executor(),
                    [&answer](HttpAnswer a) { answer = std::move(a); });
  }
  void AckOne() {
    std::vector<QueuedEvent> read;
    ASSERT_EQ(buffer_.Reader(0).Read(read, 1, std::chrono::steady_clock::now()), 1u);
    buffer_.Reader(0).Ack(1);
  }

  Metrics metrics_;
  CountingBuffer buffer_;
  Result<Router> router_;
  Ingest ingest_;
  HttpSourceConfig config_;
  ApiConfig api_;
  HttpHandler handler_;
  boost::asio::io_context ioc_;
};

// Under `block`, a request waits for room; it is routed and appended again only once an
// acknowledgement released some, not every time it looks.
TEST_F(HttpHandlerTest, ABlockedRequestIsTriedAgainOnlyWhenRoomWasReleased) {
  std::optional<HttpAnswer> first, second, third;
  Post(first);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, http::status::accepted);  // the queue is full now

  Post(second);
  EXPECT_FALSE(second) << "a full queue under `block` makes it wait";
  ioc_.run_for(std::chrono::milliseconds(150));  // it looks every 10 ms meanwhile
  EXPECT_FALSE(second);
  EXPECT_EQ(buffer_.appends, 2) << "tried again while nothing was released";

  AckOne();
  ioc_.restart();
  while (!second && ioc_.run_one_for(std::chrono::seconds(5))) {
  }
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, http::status::accepted) << second->body;
  EXPECT_EQ(buffer_.appends, 3);

  // Nothing is released this time: one attempt, then 503 at block_timeout.
  Post(third);
  ioc_.restart();
  while (!third && ioc_.run_one_for(std::chrono::seconds(5))) {
  }
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, http::status::service_unavailable) << third->body;
  EXPECT_EQ(buffer_.appends, 4);
}

}  // namespace
}  // namespace tributary
