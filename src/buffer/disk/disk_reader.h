#pragma once
// One sink's cursor over the disk buffer's log. Hands out the events whose mask has the
// sink's slot bit, keeps the records it handed out alive until they are acknowledged, and
// tracks the acknowledged position the ledger saves.

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "buffer/disk/disk_buffer.h"
#include "buffer/disk/record.h"

namespace tributary {

class DiskQueueReader final : public QueueReader {
 public:
  DiskQueueReader(DiskBuffer& buffer, size_t sink, unsigned slot, LogPosition start);
  ~DiskQueueReader() override;

  // Returns the events of one record at a time, after waiting (when there is none) until the
  // writer has committed what `wait` asks for of this sink.
  size_t Read(std::vector<QueuedEvent>& out, size_t max, SteadyTime deadline,
              ReadWait wait) override;
  void Ack(size_t n) override;
  bool Drained() const override;
  void SetJsonOnly(bool json_only) override { json_only_ = json_only; }
  QueueStats Stats() const override;

  LogPosition acked() const;

 private:
  struct InFlight {
    DecodedRecord record;
    LogPosition at;                // where the record starts
    uint64_t next_offset = 0;      // where the next record starts
    std::vector<uint32_t> handed;  // indices of this sink's events handed out
    uint32_t cursor = 0;           // next event index to look at
    size_t acked = 0;
    bool complete = false;  // every event of this sink was handed out
  };

  size_t TakeFromCurrent(std::vector<QueuedEvent>& out, size_t max);
  enum Load { kLoaded, kNone, kFailed };
  // Loads the record at read_ into in_flight_: kNone if none is complete before `end`,
  // kFailed if the segment could not be read (reported; read_ stays, to try again).
  Load LoadNext(const LogPosition& end);
  // Bytes the window holds from read_ on (0 if it does not hold read_).
  uint64_t WindowHeld() const;
  // Makes the window hold the segment's bytes from read_ up to `until`.
  Status EnsureLoaded(uint64_t until);
  void ReportReadError(const Status& st);
  void PopDone();

  DiskBuffer& buffer_;
  const size_t sink_;
  const SinkMask bit_;
  mutable std::mutex mu_;  // in_flight_ and acked_ (Stats and the ledger read them)
  std::deque<InFlight> in_flight_;
  LogPosition read_;   // the next record to load
  LogPosition acked_;  // everything before is delivered
  // A window of the segment being read: bytes [window_base_, window_base_ + window_len_).
  int fd_ = -1;
  uint64_t fd_segment_ = UINT64_MAX;
  std::unique_ptr<char[]> window_;  // not zeroed: pread fills it
  size_t window_cap_ = 0, window_len_ = 0;
  uint64_t window_base_ = 0;
  // A record the log cut into fragments, joined; given to the record when it keeps it,
  // and then made room for again at the size of the last one, so that joining does not
  // grow it by doubling.
  std::string scratch_;
  size_t last_joined_ = 0;
  std::string read_error_;  // the failure last reported, until a record loads again
  bool json_only_ = false;  // decode events without their attributes (SetJsonOnly)
};

}  // namespace tributary
