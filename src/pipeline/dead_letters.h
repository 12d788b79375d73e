#pragma once
// The dead-letter queue: batches a sink could not deliver (a permanent error, or retries
// exhausted), kept on disk with the reason until someone replays or purges them.
//
// One file per batch: `<data_dir>/dlq/<sink>/<id>.ndjson`. The first line is a JSON object
// describing the failure; the other lines are the events, as CloudEvents JSON. `replay`
// moves files to `<sink>/replay/`, from where the running collector puts the events back
// into that sink's queue (DeadLetterReplayer).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "admin/metrics.h"
#include "buffer/queue.h"
#include "core/status.h"

namespace tributary {

struct DeadLetter {
  std::string id;  // the batch id
  std::string sink;
  size_t events = 0;
  int attempts = 0;
  int status = 0;  // the last protocol status, if any
  std::string error;
  std::string response_excerpt;
  int64_t first_error_ns = 0, last_error_ns = 0;
};

// Writes `events` (NDJSON) with `letter` as one file, durably.
Status WriteDeadLetter(const std::string& data_dir, const DeadLetter& letter,
                       std::string_view events_ndjson);

struct DeadLetterFile {
  std::string path;
  DeadLetter letter;
};
// Dead letters in `data_dir`, of one sink or of all (`sink` empty), oldest first.
Result<std::vector<DeadLetterFile>> ListDeadLetters(const std::string& data_dir,
                                                    const std::string& sink);
// The header and the events of one file.
Result<std::pair<DeadLetter, std::string>> ReadDeadLetter(const std::string& path);

// Puts replayed dead letters back into their sinks' queues, once a second.
class DeadLetterReplayer {
 public:
  DeadLetterReplayer(std::string data_dir, std::vector<std::string> sinks, Buffer& buffer);
  ~DeadLetterReplayer();
  // Replays what is waiting now; returns how many events went back into queues.
  size_t RunOnce();

 private:
  std::string data_dir_;
  std::vector<std::string> sinks_;
  Buffer& buffer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tributary
