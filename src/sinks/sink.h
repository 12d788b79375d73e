#pragma once
// The seam every sink implements: send one encoded batch and say how it went. Retries,
// batching, encoding, compression and acknowledgement live in the shared SinkRunner;
// a sink only knows how to deliver one batch and how to classify its errors.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "buffer/queue.h"
#include "core/clock.h"
#include "core/status.h"
#include "format/compression.h"
#include "format/encoder.h"

namespace tributary {

struct EncodedBatch {
  std::string body;  // encoded, then compressed per `compression`
  // Instead of `body`, for a sink that writes pieces (SinkTraits::pieces), never compressed:
  // the batch is these bytes in order, views into the queue's records (NDJSON read back
  // from the disk queue is written without a copy). Valid until the batch is acknowledged.
  std::vector<std::string_view> pieces;
  MessageMeta meta;  // content type; attributes in CloudEvents binary mode
  Compression compression = Compression::kNone;
  size_t events = 0;
  size_t encoded_bytes = 0;  // before compression
  int64_t created_ns = 0;    // wall-clock time the batch was cut (for path templates)
  // Stable across retries (and restarts, with a disk queue): sinks send it so that the
  // receiver can de-duplicate (the http sink's Idempotency-Key).
  std::string id;
  // Record sinks (SinkTraits::records) only: each event is a record of its own. Record i's
  // bytes are body[record_ends[i - 1], record_ends[i]) (from 0 for the first) and
  // records[i] is its event, for keys and headers; both stay valid during Send.
  std::vector<uint32_t> record_ends;
  std::span<const QueuedEvent> records;

  // The bytes sent: the body's, or the pieces' (which are never compressed).
  size_t size() const { return pieces.empty() ? body.size() : encoded_bytes; }
};

struct SendResult {
  enum Kind { kOk, kRetry, kPermanent };
  Kind kind = kOk;
  std::string error;
  std::chrono::milliseconds retry_after{0};  // a server-given delay, if any
  int status = 0;                            // the protocol's status code, if any (HTTP)
  std::string response_excerpt;              // the start of the answer, for dead letters
  // kOk only: the batch is written but not yet durable; it is acknowledged after Sync().
  bool unsynced = false;

  static SendResult Ok() { return {}; }
  // Written where a crash of the machine could still lose it (the page cache).
  static SendResult Written() { return {kOk, {}, {}, 0, {}, true}; }
  static SendResult Retry(std::string e) { return {kRetry, std::move(e), {}, 0, {}, false}; }
  static SendResult Permanent(std::string e) {
    return {kPermanent, std::move(e), {}, 0, {}, false};
  }
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Called from its sender's thread only; each sender has its own instance.
  virtual SendResult Send(const EncodedBatch& batch) = 0;
  // Makes durable every batch Send answered with Written(). One sync for many batches is
  // what lets a file sink keep up with its queue: the runner calls it 20 ms after the
  // first such batch, after 2 MiB of them, or at stop. On failure, what was not synced
  // must be gone from the sink's output: the runner writes those batches again.
  virtual Status Sync() { return Status::Ok(); }
  // Time-based work (closing files by age); called at least once a second.
  virtual void Poll(SteadyTime /*now*/) {}
  // Finishes what is open (final file names); called once, after the last Send.
  virtual Status Close() { return Status::Ok(); }
};

}  // namespace tributary
