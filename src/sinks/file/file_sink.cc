#include "sinks/file/file_sink.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "sinks/file/path_template.h"

namespace fs = std::filesystem;

namespace tributary {
namespace {

std::string Errno(std::string_view what, const std::string& path, int err = errno) {
  return std::string(what) + " " + path + ": " + std::strerror(err);
}

bool IsTempName(const std::string& name) {
  return name.size() > 5 && name[0] == '.' && name.ends_with(".tmp");
}

}  // namespace

FileSink::FileSink(std::string name, FileSinkConfig config, Compression compression,
                   const Clock& clock)
    : name_(std::move(name)),
      config_(std::move(config)),
      suffix_(config_.path.ends_with(FileSuffix(compression)) ? "" : FileSuffix(compression)),
      compression_(compression),
      clock_(clock) {}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> FileSink::RecoverLeftovers() {
  std::error_code ec;
  if (!fs::is_directory(config_.directory, ec)) {
    // Missing is normal; anything else is an outage the sink retries through, not a
    // reason to refuse to start.
    if (fs::exists(config_.directory, ec)) {
      spdlog::warn("sink '{}': {} is not a directory; batches will be retried until it is", name_,
                   config_.directory);
    }
    return size_t{0};
  }
  if (Status st = Lock(); !st.ok()) return st;
  size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(config_.directory, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string fname = it->path().filename().string();
    if (!it->is_regular_file() || !IsTempName(fname)) continue;
    fs::path final_path = it->path().parent_path() / fname.substr(1, fname.size() - 5);
    // Keep only whole batches: the one being written when the process died was not confirmed.
    std::string data;
    {
      std::ifstream in(it->path(), std::ios::binary);
      data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    Compression c = final_path.extension() == ".gz"    ? Compression::kGzip
                    : final_path.extension() == ".zst" ? Compression::kZstd
                                                       : Compression::kNone;
    size_t keep = CompletePrefix(c, data);
    if (keep == 0) {
      fs::remove(it->path(), ec);
      continue;
    }
    if (keep < data.size()) {
      fs::resize_file(it->path(), keep, ec);
      if (ec) return IoError("cannot truncate " + it->path().string() + ": " + ec.message());
      spdlog::warn("sink '{}': cut {} bytes of an unfinished batch from {}", name_,
                   data.size() - keep, it->path().string());
    }
    fs::rename(it->path(), final_path, ec);
    if (ec) return IoError("cannot rename " + it->path().string() + ": " + ec.message());
    spdlog::warn("sink '{}': completed {} left by an earlier run", name_, final_path.string());
    ++n;
  }
  if (ec) return IoError("cannot scan " + config_.directory + ": " + ec.message());
  return n;
}

Status FileSink::Lock() {
  if (lock_) return Status::Ok();
  auto lock = DirectoryLock::Acquire(config_.directory, kLockName,
                                     "give each file sink a directory of its own");
  if (!lock) return lock.status();
  lock_ = std::move(*lock);
  return Status::Ok();
}

Status FileSink::Open(int64_t unix_ns) {
  fs::path final_path =
      fs::path(config_.directory) / (ExpandPathTemplate(config_.path, unix_ns, name_) + suffix_);
  std::error_code ec;
  fs::create_directories(final_path.parent_path(), ec);
  if (ec)
    return IoError("cannot create directory " + final_path.parent_path().string() + ": " +
                   ec.message());
  // A directory that did not exist at start-up is locked once created.
  if (Status st = Lock(); !st.ok()) return st;
  final_path_ = final_path.string();
  tmp_path_ = (final_path.parent_path() / ("." + final_path.filename().string() + ".tmp")).string();
  fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return IoError(Errno("cannot create", tmp_path_));
  written_ = synced_ = 0;
  opened_ = clock_.Now();
  return Status::Ok();
}

Status FileSink::Finish() {
  if (fd_ < 0) return Status::Ok();
  if (config_.fsync && ::fsync(fd_) != 0) {
    std::string err = Errno("fsync failed for", tmp_path_);
    CutBack(synced_, err);
    return IoError(err);
  }
  if (config_.fsync) DropCachedPages(fd_, synced_, written_);  // what Sync() had not
  ::close(fd_);
  fd_ = -1;
  if (::rename(tmp_path_.c_str(), final_path_.c_str()) != 0) {
    return IoError(Errno("cannot rename to " + final_path_ + " from", tmp_path_));
  }
  if (config_.fsync) {
    // Make the rename itself durable.
    int dfd =
        ::open(fs::path(final_path_).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return Status::Ok();
}

SendResult FileSink::Send(const EncodedBatch& batch) {
  if (fd_ < 0) {
    if (Status st = Open(batch.created_ns); !st.ok()) return SendResult::Retry(st.message());
  }
  // One gather write of the body, or of the pieces, plus a newline that an uncompressed batch
  // lacks (NDJSON ends with one), so that start-up recovery can find the last whole batch.
  iov_.clear();
  size_t size = 0;
  auto add = [&](std::string_view bytes) {
    iov_.push_back({const_cast<char*>(bytes.data()), bytes.size()});
    size += bytes.size();
  };
  if (batch.pieces.empty()) {
    if (!batch.body.empty()) add(batch.body);
  } else {
    for (std::string_view piece : batch.pieces) add(piece);
  }
  static constexpr char kNewline = '\n';
  if (compression_ == Compression::kNone && size > 0 &&
      static_cast<const char*>(iov_.back().iov_base)[iov_.back().iov_len - 1] != kNewline)
    add({&kNewline, 1});
  if (int err = WriteGathered(fd_, iov_); err != 0) {
    std::string message = Errno("write failed for", tmp_path_, err);
    // Cut the partial batch off so that the retry does not leave half a batch behind.
    CutBack(written_, message);
    return SendResult::Retry(message);
  }
  written_ += size;
  bool complete = written_ >= config_.max_file_bytes || config_.max_file_age.count() == 0;
  if (complete) {
    if (Status st = Finish(); !st.ok()) return SendResult::Retry(st.message());
    return SendResult::Ok();
  }
  return config_.fsync ? SendResult::Written() : SendResult::Ok();
}

Status FileSink::Sync() {
  if (fd_ >= 0 && synced_ < written_) {
    if (::fdatasync(fd_) == 0) {
      // Written files are not read back: their pages are freed for the next batches.
      DropCachedPages(fd_, synced_, written_);
      synced_ = written_;
    } else {
      // After a failed sync the kernel may have dropped the unsynced pages: cut them off.
      CutBack(synced_, Errno("fdatasync failed for", tmp_path_));
    }
  }
  if (lost_.empty()) return Status::Ok();
  return IoError(std::exchange(lost_, {}));
}

void FileSink::CutBack(uint64_t length, const std::string& why) {
  bool cut = ::ftruncate(fd_, static_cast<off_t>(length)) == 0 &&
             ::lseek(fd_, static_cast<off_t>(length), SEEK_SET) >= 0;
  // Batches answered Written() that are cut off, or left unsynced in a file given up on,
  // are not durable: the next Sync() fails, and the runner writes them again.
  if (config_.fsync && synced_ < written_ && (length < written_ || !cut) && lost_.empty())
    lost_ = why;
  if (cut) {
    written_ = length;
    return;
  }
  spdlog::error("sink '{}': {}; {} is left for recovery at the next start", name_,
                Errno("cannot cut back", tmp_path_), tmp_path_);
  ::close(fd_);
  fd_ = -1;
}

void FileSink::Poll(SteadyTime now) {
  if (fd_ >= 0 && now - opened_ >= config_.max_file_age) {
    if (Status st = Finish(); !st.ok()) spdlog::error("sink '{}': {}", name_, st.message());
  }
}

Status FileSink::Close() { return Finish(); }

}  // namespace tributary
