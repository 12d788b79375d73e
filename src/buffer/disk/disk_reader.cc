#include "buffer/disk/disk_reader.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "buffer/disk/log_reader.h"

namespace tributary {
namespace {

constexpr uint64_t kChunk =
    1u << 20;  // read segments in windows of this size (grown for larger records)

// How long a reader waits before trying a segment again that it could not read.
constexpr auto kRetryRead = std::chrono::milliseconds(200);

bool AtOrPast(const LogPosition& read, const LogPosition& end) {
  return read.segment > end.segment || (read.segment == end.segment && read.offset >= end.offset);
}

}  // namespace

DiskBuffer::SinkState::~SinkState() = default;

DiskQueueReader::DiskQueueReader(DiskBuffer& buffer, size_t sink, unsigned slot, LogPosition start)
    : buffer_(buffer), sink_(sink), bit_(SinkMask{1} << slot), read_(start), acked_(start) {}

DiskQueueReader::~DiskQueueReader() {
  if (fd_ >= 0) ::close(fd_);
}

LogPosition DiskQueueReader::acked() const {
  std::lock_guard lock(mu_);
  return acked_;
}

uint64_t DiskQueueReader::WindowHeld() const {
  if (fd_segment_ != read_.segment || read_.offset < window_base_ ||
      read_.offset >= window_base_ + window_len_)
    return 0;
  return window_base_ + window_len_ - read_.offset;
}

Status DiskQueueReader::EnsureLoaded(uint64_t until) {
  if (fd_segment_ != read_.segment) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::open(SegmentPath(buffer_.options_.dir, read_.segment).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return IoError(std::string("cannot open it: ") + std::strerror(errno));
    fd_segment_ = read_.segment;  // only once open: a failed open is tried again
    window_len_ = 0;
  }
  uint64_t held = WindowHeld();
  if (held >= until - read_.offset) return Status::Ok();
  // Keep the bytes from read_ on (the start of a record the window cut: small) at the front.
  if (held > 0) std::memmove(window_.get(), window_.get() + (read_.offset - window_base_), held);
  window_base_ = read_.offset;
  window_len_ = held;
  size_t want = until - read_.offset;
  if (want > window_cap_) {
    auto bigger = std::make_unique_for_overwrite<char[]>(want);
    std::memcpy(bigger.get(), window_.get(), held);
    window_ = std::move(bigger);
    window_cap_ = want;
  }
  while (window_len_ < want) {
    ssize_t n = ::pread(fd_, window_.get() + window_len_, want - window_len_,
                        static_cast<off_t>(window_base_ + window_len_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(std::string("cannot read it: ") + std::strerror(errno));
    if (n == 0) {
      return IoError("it ends at byte " + std::to_string(window_base_ + window_len_) +
                     ", before the " + std::to_string(until) +
                     " written to it (was it changed by another program?)");
    }
    window_len_ += static_cast<size_t>(n);
  }
  return Status::Ok();
}

DiskQueueReader::Load DiskQueueReader::LoadNext(const LogPosition& end) {
  DiskBuffer::CorruptionReporter reporter(buffer_);
  uint64_t chunk = kChunk;
  while (!AtOrPast(read_, end)) {
    uint64_t segment_end = end.offset;
    if (read_.segment < end.segment) {
      // A finished segment: its file size is its end. A missing one was deleted or lost.
      struct stat st;
      if (::stat(SegmentPath(buffer_.options_.dir, read_.segment).c_str(), &st) != 0) {
        read_ = {read_.segment + 1, 0, 0};
        continue;
      }
      segment_end = static_cast<uint64_t>(st.st_size);
    }
    if (read_.offset >= segment_end) {
      if (read_.segment == end.segment) return kNone;
      read_ = {read_.segment + 1, 0, 0};
      std::lock_guard lock(mu_);
      if (in_flight_.empty()) acked_ = read_;  // all before is delivered: the old segment can go
      continue;
    }
    // Parse what the window holds; read on, a window at a time, only when that is not a
    // whole record (so one pread serves many records, and little is moved to make room).
    uint64_t held = std::min(WindowHeld(), segment_end - read_.offset);
    std::string_view view =
        held ? std::string_view(window_.get() + (read_.offset - window_base_), held) : "";
    reporter.segment = read_.segment;
    log::Reader reader(view, read_.offset, &reporter);
    std::string_view rec;
    uint64_t rec_offset = 0;
    if (scratch_.capacity() < last_joined_) scratch_.reserve(last_joined_);
    if (!reader.ReadRecord(&rec, &scratch_, &rec_offset)) {
      if (read_.offset + held < segment_end) {
        if (held >= chunk) chunk *= 2;  // a record larger than the window
        if (Status st =
                EnsureLoaded(std::min(segment_end, read_.offset + std::max(chunk, held + 1)));
            !st.ok()) {
          ReportReadError(st);
          return kFailed;
        }
        continue;
      }
      // Nothing whole before the end of this segment: a torn tail or damage (reported).
      read_ = read_.segment < end.segment ? LogPosition{read_.segment + 1, 0, 0}
                                          : LogPosition{read_.segment, segment_end, 0};
      continue;
    }
    uint32_t first_event = rec_offset == read_.offset ? read_.event : 0;
    LogPosition at{read_.segment, rec_offset, 0};
    uint64_t next = reader.end_offset();
    read_ = {read_.segment, next, 0};
    bool joined = rec.data() == scratch_.data();
    if (joined) last_joined_ = rec.size();
    auto decoded =
        joined ? DecodeRecord(std::move(scratch_), !json_only_) : DecodeRecord(rec, !json_only_);
    if (!decoded) {
      buffer_.ReportCorruption(at.segment, at.offset, rec.size(), "record does not decode");
      continue;
    }
    InFlight f;
    f.record = std::move(*decoded);
    f.at = at;
    f.next_offset = next;
    f.cursor = first_event;
    if (!read_error_.empty()) {
      spdlog::info("disk queue {}: segment {} reads again", buffer_.options_.dir, at.segment);
      read_error_.clear();
    }
    std::lock_guard lock(mu_);
    in_flight_.push_back(std::move(f));
    return kLoaded;
  }
  return kNone;
}

void DiskQueueReader::ReportReadError(const Status& st) {
  // Once per kind of failure, not once per retry.
  if (st.message() == read_error_) return;
  read_error_ = st.message();
  spdlog::error(
      "disk queue {}: segment {} offset {}: {}; this sink's delivery waits and tries again "
      "every {} ms",
      buffer_.options_.dir, read_.segment, read_.offset, read_error_, kRetryRead.count());
}

size_t DiskQueueReader::TakeFromCurrent(std::vector<QueuedEvent>& out, size_t max) {
  std::lock_guard lock(mu_);
  if (in_flight_.empty() || in_flight_.back().complete) return 0;
  InFlight& f = in_flight_.back();
  size_t n = 0;
  const auto& events = f.record.batch->events();
  while (f.cursor < f.record.masks.size() && n < max) {
    uint32_t i = f.cursor++;
    if (!(f.record.masks[i] & bit_)) continue;
    out.push_back({f.record.batch.get(), &events[i], f.at.segment, f.at.offset << 20 | i});
    f.handed.push_back(i);
    ++n;
  }
  if (f.cursor >= f.record.masks.size()) f.complete = true;
  PopDone();
  return n;
}

void DiskQueueReader::PopDone() {
  // Drop fully delivered records, then derive the position from what is left: inside the
  // oldest record still in flight if some of its events were acknowledged, else after the
  // last record dropped. (Setting it while popping would move it back past later acks.)
  bool popped = false;
  LogPosition after_popped;
  while (!in_flight_.empty() && in_flight_.front().complete &&
         in_flight_.front().acked == in_flight_.front().handed.size()) {
    after_popped = {in_flight_.front().at.segment, in_flight_.front().next_offset, 0};
    popped = true;
    in_flight_.pop_front();
  }
  if (!in_flight_.empty() && in_flight_.front().acked > 0) {
    const InFlight& f = in_flight_.front();
    acked_ = {f.at.segment, f.at.offset, f.handed[f.acked - 1] + 1};
  } else if (popped) {
    acked_ = after_popped;
  }
}

size_t DiskQueueReader::Read(std::vector<QueuedEvent>& out, size_t max, SteadyTime deadline,
                             ReadWait wait) {
  size_t n = 0;
  while (n == 0 && max > 0) {
    n = TakeFromCurrent(out, max);
    if (n > 0) break;
    DiskBuffer::Committed committed = buffer_.CommittedEnd(sink_);
    Load loaded = LoadNext(committed.end);
    if (loaded == kLoaded) continue;
    if (loaded == kFailed) {
      // Not a busy loop on a segment that cannot be read: try again a little later.
      std::this_thread::sleep_until(std::min(deadline, SteadyTime::clock::now() + kRetryRead));
      if (SteadyTime::clock::now() >= deadline) break;
      continue;
    }
    // Everything committed up to `committed.end` is read: wait until the writer has
    // committed what `wait` asks for of this sink's events since then.
    std::unique_lock lock(buffer_.mu_);
    auto& s = *buffer_.sinks_[sink_];
    s.wake_events = committed.events + std::clamp<size_t>(wait.events, 1, max);
    s.wake_bytes = wait.bytes ? committed.bytes + wait.bytes : UINT64_MAX;
    bool more = buffer_.readable_cv_.wait_until(lock, deadline, [&] {
      return s.committed_events >= s.wake_events || s.committed_bytes >= s.wake_bytes ||
             (buffer_.closed_ && buffer_.pending_.empty() && buffer_.in_write_ == 0);
    });
    s.wake_events = s.wake_bytes = UINT64_MAX;
    if (!more || AtOrPast(read_, buffer_.committed_)) break;  // timed out, or closed and drained
  }
  return n;
}

void DiskQueueReader::Ack(size_t n) {
  uint64_t bytes = 0, events = n;
  {
    std::lock_guard lock(mu_);
    for (InFlight& f : in_flight_) {
      if (n == 0) break;
      size_t take = std::min(n, f.handed.size() - f.acked);
      for (size_t k = f.acked; k < f.acked + take; ++k)
        bytes += f.record.batch->events()[f.handed[k]].size;
      f.acked += take;
      n -= take;
    }
    PopDone();
  }
  auto& s = *buffer_.sinks_[sink_];
  s.events -= events - n;
  s.bytes -= bytes;
  s.drain.Drained(bytes);
}

bool DiskQueueReader::Drained() const {
  {
    std::lock_guard lock(mu_);
    if (!in_flight_.empty() && !in_flight_.back().complete) return false;
  }
  std::lock_guard lock(buffer_.mu_);
  return buffer_.closed_ && buffer_.pending_.empty() && buffer_.in_write_ == 0 &&
         AtOrPast(read_, buffer_.committed_);
}

QueueStats DiskQueueReader::Stats() const {
  auto& s = *buffer_.sinks_[sink_];
  QueueStats st{s.events.load(), s.bytes.load(), 0};
  std::lock_guard lock(mu_);
  if (!in_flight_.empty() && st.events > 0) st.oldest_ns = in_flight_.front().record.received_ns;
  return st;
}

}  // namespace tributary
