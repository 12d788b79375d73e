#include "buffer/disk/disk_buffer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "buffer/disk/disk_reader.h"
#include "buffer/disk/ledger.h"
#include "buffer/disk/log_reader.h"
#include "buffer/disk/log_writer.h"
#include "buffer/disk/record.h"
#include "buffer/queue_full.h"
#include "core/file_util.h"
#include "core/thread_name.h"

namespace fs = std::filesystem;

namespace tributary {

namespace {

std::string ErrnoText(int e) { return std::strerror(e); }

}  // namespace

DiskBuffer::DiskBuffer(DiskQueueOptions options, Metrics& metrics)
    : options_(std::move(options)),
      corrupt_records_(metrics.GetCounter("tributary_queue_corrupt_records_total",
                                          "Damaged records found in the disk queue and skipped")),
      write_errors_(metrics.GetCounter("tributary_queue_write_errors_total",
                                       "Failed writes or syncs of the disk queue")),
      written_bytes_(metrics.GetCounter("tributary_queue_written_bytes_total",
                                        "Bytes appended to the disk queue's log (framing "
                                        "included; once per event, whatever its sinks)")) {}

Result<std::unique_ptr<DiskBuffer>> DiskBuffer::Open(DiskQueueOptions options,
                                                     std::vector<std::string> names,
                                                     std::vector<QueueLimits> limits,
                                                     Metrics& metrics) {
  std::unique_ptr<DiskBuffer> b(new DiskBuffer(std::move(options), metrics));
  const std::string& dir = b->options_.dir;
  std::error_code ec;
  fs::create_directories(dir + "/segments", ec);
  if (ec) return IoError("cannot create queue directory " + dir + "/segments: " + ec.message());
  // Before anything is read or changed: a second process would truncate and delete segments.
  auto lock = DirectoryLock::Acquire(dir, "lock", "give this one its own storage.data_dir");
  if (!lock) return lock.status();
  b->lock_ = std::move(*lock);

  auto segments = ListSegments(dir);
  if (!segments) return segments.status();
  uint64_t oldest = segments->empty() ? 1 : segments->front();
  uint64_t next = segments->empty() ? 1 : segments->back() + 1;

  std::optional<Ledger> ledger;
  if (auto l = LoadLedger(dir); l.ok()) {
    ledger = std::move(*l);
    if (!ledger && !segments->empty()) b->recovery_.ledger_problem = "ledger missing";
  } else {
    b->recovery_.ledger_problem = l.status().message();
  }
  if (auto s = LoadSlots(dir); s.ok()) {
    b->slots_ = std::move(*s);
  } else {
    spdlog::warn("disk queue {}: {}; taking the slot table from the ledger", dir,
                 s.status().message());
  }
  if (b->slots_.empty() && ledger) b->slots_ = ledger->slots;
  const bool rebuild = !b->recovery_.ledger_problem.empty();
  b->recovery_.ledger_rebuilt = rebuild;
  if (rebuild) {
    spdlog::warn(
        "disk queue {}: {}; rebuilding positions from the segments (every sink restarts at the "
        "oldest segment: events may be delivered twice, none is lost)",
        dir, b->recovery_.ledger_problem);
  }

  bool slots_changed = false;
  for (size_t i = 0; i < names.size(); ++i) {
    auto s = std::make_unique<SinkState>();
    s->name = names[i];
    s->limits = limits[i];
    auto it = std::find(b->slots_.begin(), b->slots_.end(), names[i]);
    if (it == b->slots_.end()) {
      if (b->slots_.size() >= kMaxSinks)
        return InvalidArgument("the disk queue has no free slot for sink " + names[i]);
      b->slots_.push_back(names[i]);
      it = b->slots_.end() - 1;
      slots_changed = true;
    }
    s->slot = static_cast<unsigned>(it - b->slots_.begin());
    if (ledger && ledger->acked.count(names[i])) {
      s->start = ledger->acked[names[i]];
    } else if (rebuild) {
      s->start = {oldest, 0, 0};
    } else {
      s->start = {next, 0, 0};  // a new sink: only what is appended from now on
    }
    if (s->start.segment < oldest) s->start = {oldest, 0, 0};
    std::string label = "sink=" + LabelValue(names[i]);
    s->dropped_full =
        &metrics.GetCounter("tributary_dropped_events_total", "Events not delivered, by reason",
                            "reason=\"queue_full\"," + label);
    b->sinks_.push_back(std::move(s));
  }
  if (slots_changed) TRIBUTARY_RETURN_IF_ERROR(SaveSlots(dir, b->slots_));
  TRIBUTARY_RETURN_IF_ERROR(b->Recover());
  TRIBUTARY_RETURN_IF_ERROR(b->OpenSegment(next));
  b->committed_ = {next, 0, 0};
  for (size_t i = 0; i < b->sinks_.size(); ++i) {
    auto& s = *b->sinks_[i];
    s.reader = std::make_unique<DiskQueueReader>(*b, i, s.slot, s.start);
  }
  TRIBUTARY_RETURN_IF_ERROR(b->Checkpoint());
  b->synced_from_ = b->segment_;
  b->writer_ = std::thread([p = b.get()] {
    NameThisThread("queue-write");
    p->WriterLoop();
  });
  b->syncer_ = std::thread([p = b.get()] {
    NameThisThread("queue-sync");
    p->SyncLoop();
  });
  return b;
}

Status DiskBuffer::Recover() {
  auto segments = ListSegments(options_.dir);
  if (!segments) return segments.status();
  LogPosition from{UINT64_MAX, 0, 0};
  for (auto& s : sinks_) from = std::min(from, s->start);
  CorruptionReporter reporter(*this);
  std::string scratch;
  for (uint64_t seg : *segments) {
    if (seg < from.segment) continue;
    ++recovery_.segments;
    auto data = ReadWholeFile(SegmentPath(options_.dir, seg));
    if (!data) return data.status();
    reporter.segment = seg;
    log::Reader reader(*data, 0, &reporter);
    std::string_view rec;
    uint64_t off = 0;
    while (reader.ReadRecord(&rec, &scratch, &off)) {
      auto decoded = DecodeRecord(rec);
      if (!decoded) {
        ReportCorruption(seg, off, rec.size(), "record does not decode");
        continue;
      }
      ++recovery_.records;
      recovery_.events += decoded->masks.size();
      for (auto& s : sinks_) {
        SinkMask bit = SinkMask{1} << s->slot;
        for (uint32_t i = 0; i < decoded->masks.size(); ++i) {
          if ((decoded->masks[i] & bit) && LogPosition{seg, off, i} >= s->start) {
            s->events += 1;
            s->bytes += decoded->batch->events()[i].size;
          }
        }
      }
    }
  }
  recovery_.corrupt_records = corrupt_records_.value();
  if (recovery_.records > 0 || recovery_.corrupt_records > 0) {
    spdlog::info(
        "disk queue {}: recovered {} records ({} events) from {} segments; {} damaged spans "
        "skipped",
        options_.dir, recovery_.records, recovery_.events, recovery_.segments,
        recovery_.corrupt_records);
  }
  return Status::Ok();
}

void DiskBuffer::ReportCorruption(uint64_t segment, uint64_t offset, uint64_t bytes,
                                  const char* reason) {
  {
    std::lock_guard lock(mu_);
    if (!reported_.insert({segment, offset}).second) return;
  }
  corrupt_records_.Inc();
  recovery_.corrupt_bytes += bytes;
  spdlog::error(
      "disk queue {}: segment {} offset {}: {} ({} bytes skipped); counted in "
      "tributary_queue_corrupt_records_total",
      options_.dir, segment, offset, reason, bytes);
}

Result<int> DiskBuffer::CreateSegment(uint64_t number) {
  std::string path = SegmentPath(options_.dir, number);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    return Status{e == ENOSPC ? StatusCode::kUnavailable : StatusCode::kIoError,
                  "cannot create " + path + ": " + ErrnoText(e)};
  }
  // The segment's blocks are allocated now, not by each write-back: ext4 holds the file's
  // i_data_sem while write-back allocates, and an append to the file waits for it. With
  // the sync thread's fdatasync allocating, appends stalled for 7-22 ms, which showed in
  // the p99 of acknowledgements (README, Performance). The size stays the data's
  // (KEEP_SIZE), which is what readers and recovery go by. Advice only: where it fails (a
  // full disk, a file system without it) appends allocate as they go.
  ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(options_.segment_bytes));
  // Under "always" the name is durable before anything in the file is acknowledged; under
  // "interval" the sync thread makes it durable with the rest (see OpenSegment).
  if (options_.fsync == FsyncPolicy::kAlways) {
    if (Status st = SyncDirectory(options_.dir + "/segments"); !st.ok()) {
      ::close(fd);
      return st;
    }
  }
  return fd;
}

Status DiskBuffer::OpenSegment(uint64_t number) {
  if (fd_ >= 0 && options_.fsync == FsyncPolicy::kAlways && ::fdatasync(fd_) != 0) {
    return IoError("fsync of segment " + std::to_string(segment_) + " failed: " + ErrnoText(errno));
  }
  {
    // Held while the preparer may be creating this very segment: the writer then waits for
    // it rather than creating it a second time.
    std::lock_guard lock(prepare_mu_);
    int fd = -1;
    if (prepared_fd_ >= 0 && number == segment_ + 1) {
      std::swap(fd, prepared_fd_);
    } else {
      auto created = CreateSegment(number);
      if (!created) return created.status();
      fd = *created;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
    segment_ = number;
    segment_size_ = 0;
  }
  if (options_.fsync == FsyncPolicy::kInterval) directory_unsynced_ = true;
  {
    std::lock_guard lock(mu_);
    prepare_wanted_ = true;
  }
  sync_cv_.notify_one();
  return Status::Ok();
}

void DiskBuffer::PrepareNextSegment() {
  std::lock_guard lock(prepare_mu_);
  if (prepared_fd_ >= 0 || fd_ < 0) return;
  auto fd = CreateSegment(segment_ + 1);
  if (!fd) {
    // The writer will try again when it needs the segment, and say why if it fails then.
    spdlog::debug("disk queue {}: {}", options_.dir, fd.status().message());
    return;
  }
  prepared_fd_ = *fd;
}

DiskBuffer::~DiskBuffer() {
  Close();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  writer_cv_.notify_all();
  sync_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (syncer_.joinable()) syncer_.join();
  if (options_.fsync == FsyncPolicy::kInterval) SyncWrittenSegments();
  if (fd_ >= 0) {
    if (options_.fsync == FsyncPolicy::kAlways) ::fdatasync(fd_);
    ::close(fd_);
  }
  if (prepared_fd_ >= 0) {
    // Empty, but holding a segment's blocks until the next start would reuse the number.
    ::close(prepared_fd_);
    ::unlink(SegmentPath(options_.dir, segment_ + 1).c_str());
  }
  if (Status st = Checkpoint(); !st.ok())
    spdlog::error("disk queue {}: {}", options_.dir, st.message());
  for (auto& s : sinks_) s->reader.reset();
}

QueueReader& DiskBuffer::Reader(size_t sink) { return *sinks_[sink]->reader; }

void DiskBuffer::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  readable_cv_.notify_all();
}

DiskBuffer::Committed DiskBuffer::CommittedEnd(size_t sink) {
  std::lock_guard lock(mu_);
  const SinkState& s = *sinks_[sink];
  return {committed_, s.committed_events, s.committed_bytes};
}

bool DiskBuffer::ReaderToWake() const {
  if (closed_) return true;
  return std::any_of(sinks_.begin(), sinks_.end(), [](const auto& s) {
    return s->committed_events >= s->wake_events || s->committed_bytes >= s->wake_bytes;
  });
}

void DiskBuffer::Append(const EventBatchPtr& batch, std::span<const SinkMask> masks,
                        AppendCallback done) {
  {
    std::lock_guard lock(mu_);
    if (closed_)
      return done({Unavailable("the collector is shutting down"), false, false, {}, 1, {}});
    if (!failed_.ok()) return done({failed_, false, false, {}, 30, {}});
  }
  // Events carry slot bits on disk; `masks` uses sink indices.
  thread_local std::vector<SinkMask> slot_masks;
  slot_masks.assign(masks.size(), 0);
  std::vector<uint64_t> add_events(sinks_.size(), 0), add_bytes(sinks_.size(), 0);
  for (size_t i = 0; i < masks.size(); ++i) {
    for (SinkMask m = masks[i]; m != 0; m &= m - 1) {
      size_t s = static_cast<size_t>(__builtin_ctzll(m));
      slot_masks[i] |= SinkMask{1} << sinks_[s]->slot;
      add_events[s] += 1;
    }
  }
  Pending p;
  thread_local std::vector<uint32_t> sizes;
  EncodeRecord(*batch, slot_masks, p.payload, sizes);
  for (size_t i = 0, k = 0; i < masks.size(); ++i) {
    if (masks[i] == 0) continue;
    for (SinkMask m = masks[i]; m != 0; m &= m - 1)
      add_bytes[static_cast<size_t>(__builtin_ctzll(m))] += sizes[k];
    ++k;
  }

  // Check every target queue's room and reserve it as one step.
  AppendOutcome outcome;
  std::vector<size_t> dropped;
  {
    std::lock_guard lock(acct_mu_);
    for (size_t s = 0; s < sinks_.size() && outcome.status.ok(); ++s) {
      SinkState& st = *sinks_[s];
      if (add_events[s] == 0) continue;
      if (QueueHasRoom(st.limits, st.events.load(), st.bytes.load(), add_events[s], add_bytes[s]))
        continue;
      if (st.limits.when_full == FullPolicy::kDropNewest) {
        dropped.push_back(s);
        continue;
      }
      outcome = Full(st, add_bytes[s]);
    }
    if (outcome.status.ok()) {
      for (size_t s : dropped) {
        add_events[s] = add_bytes[s] = 0;
      }
      for (size_t s = 0; s < sinks_.size(); ++s) {
        sinks_[s]->events += add_events[s];
        sinks_[s]->bytes += add_bytes[s];
      }
    }
  }
  if (!outcome.status.ok()) return done(std::move(outcome));
  if (!dropped.empty()) {
    // drop_newest: the event stays in the record (for the other sinks) without this slot.
    SinkMask clear = 0;
    for (size_t s : dropped) {
      clear |= SinkMask{1} << sinks_[s]->slot;
      uint64_t n = 0;
      for (SinkMask m : masks) n += (m >> s) & 1;
      sinks_[s]->dropped_full->Inc(n);
      WarnDroppingNewest(sinks_[s]->name);
    }
    ClearSlots(p.payload, clear);
  }
  p.events = std::move(add_events);
  p.bytes = std::move(add_bytes);
  p.done = std::move(done);
  {
    std::lock_guard lock(mu_);
    pending_.push_back(std::move(p));
  }
  writer_cv_.notify_one();
}

AppendOutcome DiskBuffer::Full(SinkState& st, uint64_t bytes) {
  return QueueFull(st.name, st.limits, st.events.load(), st.bytes.load(),
                   st.drain.RetryAfterSeconds(bytes));
}

AppendOutcome DiskBuffer::RefusesAll(uint64_t bytes) {
  for (auto& s : sinks_) {
    if (QueueHasRoom(s->limits, s->events.load(), s->bytes.load(), 1, bytes) ||
        s->limits.when_full != FullPolicy::kReject)
      return {};
  }
  return sinks_.empty() ? AppendOutcome{} : Full(*sinks_.front(), bytes);
}

uint64_t DiskBuffer::FreedCount() const {
  uint64_t n = 0;
  for (const auto& s : sinks_) n += s->drain.drains();
  return n;
}

void DiskBuffer::Release(const Pending& p) {
  for (size_t s = 0; s < sinks_.size(); ++s) {
    sinks_[s]->events -= p.events[s];
    sinks_[s]->bytes -= p.bytes[s];
  }
}

size_t DiskBuffer::WriteBatch(std::vector<Pending>& batch, Status* error) {
  // The round goes out in gather writes of the records' framing and their payloads, which
  // are not copied.
  framed_.Clear();
  size_t written = 0;  // appends already in the file
  // Writes `framed_`, which frames batch[written, upto).
  auto flush = [&](size_t upto) -> bool {
    const size_t size = framed_.size();
    if (int e = WriteGathered(fd_, framed_.pieces(), static_cast<int64_t>(segment_size_)); e != 0) {
      write_errors_.Inc();
      // Cut the partial write off so the log stays a sequence of whole records.
      if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) {
        std::lock_guard lock(mu_);
        failed_ = IoError("disk queue " + options_.dir +
                          " stopped: a write failed and could not be undone (" + ErrnoText(errno) +
                          "); restart the collector");
      }
      if (e == ENOSPC) {
        roll_after_full_ = true;
        *error = Unavailable("the disk queue's filesystem is full (" + options_.dir +
                             "); free space or move storage.data_dir");
      } else {
        *error = IoError("write to the disk queue failed: " + ErrnoText(e));
        std::lock_guard lock(mu_);
        if (failed_.ok())
          failed_ = IoError("disk queue " + options_.dir + " stopped after a failed write (" +
                            ErrnoText(e) + "); restart the collector");
      }
      spdlog::error("disk queue {}: {}", options_.dir, error->message());
      return false;
    }
    segment_size_ += size;
    written_bytes_.Inc(size);
    bool wake;
    {
      std::lock_guard lock(mu_);
      committed_ = {segment_, segment_size_, 0};
      for (size_t k = written; k < upto; ++k) {
        for (size_t s = 0; s < sinks_.size(); ++s) {
          sinks_[s]->committed_events += batch[k].events[s];
          sinks_[s]->committed_bytes += batch[k].bytes[s];
        }
      }
      wake = ReaderToWake();
    }
    unsynced_bytes_ += size;  // after committed_: the sync thread reads them in turn
    framed_.Clear();
    // Readers are woken when there is enough for their batch, not at every write: a write
    // round per few requests would otherwise wake each sink's batching thread as often.
    if (wake) readable_cv_.notify_all();
    return true;
  };
  if (roll_after_full_ && segment_size_ > 0) {
    // The disk filled up while this segment was being written. Writing on in a new one
    // lets this one be deleted once it is delivered, which is what frees the space.
    if (OpenSegment(segment_ + 1).ok()) roll_after_full_ = false;
  }
  log::Writer framer(segment_size_);
  for (size_t i = 0; i < batch.size(); ++i) {
    uint64_t used = segment_size_ + framed_.size();
    if (used > 0 && used + batch[i].payload.size() > options_.segment_bytes) {
      if (!flush(i)) return written;
      written = i;
      if (Status st = OpenSegment(segment_ + 1); !st.ok()) {
        // Keep writing to the current segment; it may grow past the cap.
        spdlog::warn("disk queue {}: {}", options_.dir, st.message());
      }
      framer = log::Writer(segment_size_);
    }
    framer.AddRecord(batch[i].payload, framed_);
  }
  if (!flush(batch.size())) return written;
  return batch.size();
}

void DiskBuffer::WriterLoop() {
  std::vector<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      writer_cv_.wait(lock, [&] { return !pending_.empty() || stop_; });
      if (stop_ && pending_.empty()) break;
      batch.swap(pending_);
      in_write_ += batch.size();
    }
    Status error;
    size_t ok = WriteBatch(batch, &error);
    if (ok > 0 && options_.fsync == FsyncPolicy::kAlways) {
      // Group commit: one sync for every append of this round.
      if (::fdatasync(fd_) != 0) {
        int e = errno;
        error = IoError("fsync of the disk queue failed: " + ErrnoText(e));
        StopAfterFailedSync("", e);
        ok = 0;
      } else {
        unsynced_bytes_ = 0;
      }
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      Pending& p = batch[i];
      if (i < ok) {
        p.done(AppendOutcome{});
        continue;
      }
      Release(p);
      AppendOutcome o;
      o.status = error;
      o.full = error.code() == StatusCode::kUnavailable;
      o.retry_after_seconds = 5;
      p.done(std::move(o));
    }
    bool closed;
    {
      std::lock_guard lock(mu_);
      in_write_ -= batch.size();
      closed = closed_;
    }
    if (closed) readable_cv_.notify_all();  // a reader may be waiting for the last write
    batch.clear();
  }
}

void DiskBuffer::StopAfterFailedSync(const std::string& what, int err) {
  write_errors_.Inc();
  std::lock_guard lock(mu_);
  failed_ = IoError("disk queue " + options_.dir + " stopped after a failed fsync" + what + " (" +
                    ErrnoText(err) + "); restart the collector");
  spdlog::error("disk queue {}: {}", options_.dir, failed_.message());
}

void DiskBuffer::SyncWrittenSegments() {
  // Taken before the syncs: what is written meanwhile counts towards the next round.
  uint64_t unsynced = unsynced_bytes_.exchange(0);
  bool directory = directory_unsynced_.exchange(false);
  uint64_t writing;
  {
    std::lock_guard lock(mu_);
    writing = committed_.segment;
  }
  if (directory) {
    if (Status st = SyncDirectory(options_.dir + "/segments"); !st.ok())
      spdlog::warn("disk queue {}: {}", options_.dir, st.message());
  }
  if (unsynced == 0 && synced_from_ == writing) return;
  for (uint64_t seg = synced_from_; seg <= writing; ++seg) {
    // The writer keeps its own descriptor; a sync through any descriptor of the file flushes
    // its data. A segment already delivered and deleted needs none.
    std::string path = SegmentPath(options_.dir, seg);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::fdatasync(fd) != 0) StopAfterFailedSync(" of " + path, errno);
    ::close(fd);
  }
  synced_from_ = writing;
}

void DiskBuffer::SyncLoop() {
  using Clock = std::chrono::steady_clock;
  // Positions are saved often so that a crash replays little.
  constexpr auto kCheckpointEvery = std::chrono::milliseconds(100);
  auto next_sync = Clock::now() + options_.fsync_interval;
  auto next_checkpoint = Clock::now() + kCheckpointEvery;
  while (true) {
    bool prepare;
    {
      std::unique_lock lock(mu_);
      auto wake = next_checkpoint;
      if (options_.fsync == FsyncPolicy::kInterval) wake = std::min(wake, next_sync);
      sync_cv_.wait_until(lock, wake, [&] { return stop_ || prepare_wanted_; });
      if (stop_) break;
      prepare = std::exchange(prepare_wanted_, false);
    }
    // First: the writer reaches the end of its segment sooner than a sync round ends.
    if (prepare) PrepareNextSegment();
    auto now = Clock::now();
    if (options_.fsync == FsyncPolicy::kInterval && now >= next_sync) {
      SyncWrittenSegments();
      next_sync = now + options_.fsync_interval;
    }
    if (now >= next_checkpoint) {
      if (Status st = Checkpoint(); !st.ok())
        spdlog::warn("disk queue {}: {}", options_.dir, st.message());
      next_checkpoint = now + kCheckpointEvery;
    }
  }
}

Status DiskBuffer::Checkpoint() {
  std::lock_guard checkpoint_lock(checkpoint_mu_);
  Ledger l;
  l.slots = slots_;
  uint64_t min_segment = UINT64_MAX;
  for (auto& s : sinks_) {
    LogPosition p = s->reader ? s->reader->acked() : s->start;
    l.acked[s->name] = p;
    min_segment = std::min(min_segment, p.segment);
  }
  // Even if the ledger cannot be saved (a full disk), delivered segments can go: deleting
  // them is what frees space, and a ledger pointing before them restarts at the oldest one.
  Status saved;
  if (l.acked != saved_) {
    saved = SaveLedger(options_.dir, l);
    if (saved.ok()) saved_ = l.acked;
  }
  // Segments every sink has moved past (and not the one being written) can go.
  uint64_t writing;
  {
    std::lock_guard lock(mu_);
    writing = committed_.segment;
  }
  uint64_t below = std::min(min_segment, writing);
  if (below <= deleted_below_) return saved;
  auto segments = ListSegments(options_.dir);
  if (!segments) return segments.status();
  for (uint64_t seg : *segments) {
    if (seg >= below) break;
    std::error_code ec;
    fs::remove(SegmentPath(options_.dir, seg), ec);
    if (ec) return IoError("cannot delete segment " + std::to_string(seg) + ": " + ec.message());
  }
  deleted_below_ = below;
  return saved;
}

}  // namespace tributary
