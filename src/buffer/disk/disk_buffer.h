#pragma once
// The disk buffer: one append-only log shared by every disk-queued sink.
//
// Design notes (the invariants this module keeps):
//  - Write once, read per sink. An append becomes one record holding each routed event
//    once, with a mask of the queue slots (sinks) it goes to. Each sink reads the log
//    through its own cursor and keeps its own acknowledged position; disk bytes per
//    event do not grow with the number of sinks.
//  - Acknowledge after durability. Append's callback runs on the writer thread after the
//    record was written, and with fsync = "always" after it was synced; concurrent
//    appends share one write and one fsync (group commit, as LevelDB's write path).
//    With "interval" the callback runs after the write (a process crash loses nothing; a
//    power loss can lose up to one interval); "never" leaves syncing to the OS.
//  - Release after delivery. A sink's position moves only when its batch was confirmed;
//    positions are saved in the ledger every 100 ms (a crash replays what was delivered
//    since, never skips); a segment is deleted once every sink's position is past it.
//  - Always start. Recovery reads every segment from the oldest position: a torn tail is
//    a clean end, a damaged block is counted and skipped, a damaged ledger is rebuilt
//    (every sink restarts at the oldest segment: duplicates, never loss).
//  - Never pretend. A failed write answers the appends it held with an error (a full
//    disk like a full queue: 503); a failed fsync stops intake until restart.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "admin/metrics.h"
#include "buffer/disk/log_reader.h"
#include "buffer/disk/log_writer.h"
#include "buffer/disk/segment.h"
#include "buffer/drain_meter.h"
#include "buffer/queue.h"

namespace tributary {

enum class FsyncPolicy { kAlways, kInterval, kNever };

struct DiskQueueOptions {
  std::string dir;  // the queue's directory (segments/, ledger, slots)
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  std::chrono::milliseconds fsync_interval{100};
  uint64_t segment_bytes = 64ull << 20;
};

struct RecoveryReport {
  size_t segments = 0;
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t corrupt_records = 0;  // damaged spans and records that did not decode
  uint64_t corrupt_bytes = 0;
  bool ledger_rebuilt = false;
  std::string ledger_problem;
};

class DiskQueueReader;

class DiskBuffer final : public Buffer {
 public:
  // Opens (and recovers) the queue in options.dir for the named sinks.
  static Result<std::unique_ptr<DiskBuffer>> Open(DiskQueueOptions options,
                                                  std::vector<std::string> sink_names,
                                                  std::vector<QueueLimits> limits,
                                                  Metrics& metrics);
  ~DiskBuffer() override;  // writes what is pending, syncs, saves the ledger

  void Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
              AppendCallback done) override;
  QueueReader& Reader(size_t sink) override;
  void Close() override;
  AppendOutcome RefusesAll(uint64_t bytes) override;
  uint64_t FreedCount() const override;

  const RecoveryReport& recovery() const { return recovery_; }
  uint64_t unsynced_bytes() const { return unsynced_bytes_.load(); }
  // Saves the ledger and deletes fully acknowledged segments now (normally every 100 ms).
  Status Checkpoint();

 private:
  friend class DiskQueueReader;
  struct SinkState {
    std::string name;
    unsigned slot = 0;
    QueueLimits limits;
    std::atomic<uint64_t> events{0}, bytes{0};  // reserved or written, not yet acknowledged
    DrainMeter drain;
    Counter* dropped_full = nullptr;
    LogPosition start;  // from the ledger
    std::unique_ptr<DiskQueueReader> reader;
    // With mu_ held. What the writer has committed for this sink since start-up, and what
    // its waiting reader needs of it to be worth waking (UINT64_MAX: not waiting).
    uint64_t committed_events = 0, committed_bytes = 0;
    uint64_t wake_events = UINT64_MAX, wake_bytes = UINT64_MAX;
    ~SinkState();
  };
  struct Pending {
    std::string payload;
    std::vector<uint64_t> events, bytes;  // reserved per sink
    AppendCallback done;
  };

  // Counts what a log::Reader skips in `segment`, once per damaged span.
  struct CorruptionReporter : log::Reader::Reporter {
    explicit CorruptionReporter(DiskBuffer& b) : buffer(b) {}
    void Corrupt(const log::Reader::Corruption& c) override {
      buffer.ReportCorruption(segment, c.offset, c.bytes, c.reason);
    }
    DiskBuffer& buffer;
    uint64_t segment = 0;
  };

  DiskBuffer(DiskQueueOptions options, Metrics& metrics);
  Status Recover();
  // Makes `number` the segment being written: the one prepared for it, or a new file.
  Status OpenSegment(uint64_t number);
  // Creates segment `number` and allocates its blocks; the caller owns the descriptor.
  Result<int> CreateSegment(uint64_t number);
  // On the sync thread, after each roll: creates the segment after the one being written, so
  // that the writer does not wait for its allocation (10-16 ms at times under write-back).
  void PrepareNextSegment();
  void WriterLoop();
  // Saves the ledger every 100 ms and, under fsync = "interval", syncs what the writer wrote:
  // off the writer's thread, so that appends never wait for a sync they did not ask for.
  void SyncLoop();
  // Syncs every segment written since the last call (interval policy).
  void SyncWrittenSegments();
  // A sync failed (of `what`, if not the segment being written): intake stops until restart,
  // since what was acknowledged may not be on disk.
  void StopAfterFailedSync(const std::string& what, int err);
  // Frames and writes `batch`; returns how many of them were written.
  size_t WriteBatch(std::vector<Pending>& batch, Status* error);
  void Release(const Pending& p);
  static AppendOutcome Full(SinkState& st, uint64_t bytes);
  void ReportCorruption(uint64_t segment, uint64_t offset, uint64_t bytes, const char* reason);
  // The end of the data written, and this sink's committed totals at that point.
  struct Committed {
    LogPosition end;
    uint64_t events = 0, bytes = 0;
  };
  Committed CommittedEnd(size_t sink);
  // With mu_ held: a waiting reader has what it waits for, or the buffer is closed.
  bool ReaderToWake() const;

  const DiskQueueOptions options_;
  std::optional<DirectoryLock> lock_;  // this process's alone
  std::vector<std::unique_ptr<SinkState>> sinks_;
  std::vector<std::string> slots_;
  RecoveryReport recovery_;

  // Appends waiting for the writer, and what readers may read.
  std::mutex mu_;
  std::condition_variable writer_cv_;
  std::condition_variable readable_cv_;
  std::vector<Pending> pending_;
  size_t in_write_ = 0;      // appends taken by the writer, not yet answered
  LogPosition committed_{};  // end of the data written (segment, offset)
  bool closed_ = false;
  bool stop_ = false;
  std::condition_variable sync_cv_;
  Status failed_;                                     // set after a failed fsync: intake stops
  std::set<std::pair<uint64_t, uint64_t>> reported_;  // corruption counted once

  std::mutex acct_mu_;  // per-sink reservations (check and add as one step)

  // Writer thread state; segment_ changes with prepare_mu_ held, so the preparer may read it.
  std::thread writer_;
  int fd_ = -1;
  uint64_t segment_ = 0;
  // The segment after segment_, created ahead by the sync thread (-1: none yet). A crash
  // leaves it empty on disk, which recovery reads as a segment without records.
  std::mutex prepare_mu_;
  int prepared_fd_ = -1;
  bool prepare_wanted_ = false;  // with mu_ held: the writer rolled
  uint64_t segment_size_ = 0;
  log::Framed framed_;  // the round being written, reused
  std::atomic<uint64_t> unsynced_bytes_{0};
  // After ENOSPC: start a new segment so that the full one can be deleted once delivered.
  bool roll_after_full_ = false;
  // Sync thread state: segments from synced_from_ up to the one being written may hold
  // unsynced data.
  std::thread syncer_;
  uint64_t synced_from_ = 0;
  std::atomic<bool> directory_unsynced_{false};  // a segment was created
  // Checkpoint runs on the sync thread and on demand; saved_ is what the ledger holds, and
  // segments below deleted_below_ are gone (so an idle queue is not listed ten times a second).
  std::mutex checkpoint_mu_;
  std::map<std::string, LogPosition> saved_;
  uint64_t deleted_below_ = 0;

  Counter& corrupt_records_;
  Counter& write_errors_;
  Counter& written_bytes_;
};

}  // namespace tributary
