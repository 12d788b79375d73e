#pragma once
// The file sink appends encoded batches to a file under `directory`, named by a path
// template. A file is written under a hidden temporary name (".NAME.tmp" beside its final
// name), synced, and renamed when it is complete, so readers never see half a file. A
// file is complete when it reaches max_file_bytes or max_file_age (0: after every batch).
// Compressed batches are complete gzip members / zstd frames, so a file of several
// batches is one valid .gz / .zst file. Synced bytes are dropped from the page cache: the
// sink never reads them back. Temporary files left by a crash are completed
// at start-up: cut back to their last complete batch (a batch being written when the
// process died was not confirmed, so it is delivered again) and renamed. That is only safe
// if no one else writes there: the sink locks its directory (`.tributary.lock`) before it
// recovers or writes anything, and a second sink on it, in this process or another, is
// refused.

#include <sys/uio.h>

#include <chrono>
#include <optional>
#include <string>

#include "core/file_util.h"
#include "sinks/sink.h"

namespace tributary {

struct FileSinkConfig {
  std::string directory = "./tributary-data/events";
  std::string path = "{yyyy}/{mm}/{dd}/{hh}/{uuid}.ndjson";
  uint64_t max_file_bytes = 64ull << 20;
  std::chrono::milliseconds max_file_age{0};
  bool fsync = true;
};

class FileSink final : public Sink {
 public:
  // The lock file in the directory.
  static constexpr const char* kLockName = ".tributary.lock";

  FileSink(std::string name, FileSinkConfig config, Compression compression, const Clock& clock);
  ~FileSink() override;

  // Locks the directory (if it exists yet) and renames temporary files a previous run left
  // behind; returns how many.
  Result<size_t> RecoverLeftovers();

  SendResult Send(const EncodedBatch& batch) override;
  Status Sync() override;
  void Poll(SteadyTime now) override;
  Status Close() override;

 private:
  Status Lock();  // the directory, once; it must exist
  Status Open(int64_t unix_ns);
  Status Finish();  // sync, close and rename the open file
  // Cuts the open file back to `length` after a failed write or sync (`why`). If even that
  // fails, the file is left (not renamed) for the next start's recovery, which cuts it to
  // whole batches, and a new file is begun.
  void CutBack(uint64_t length, const std::string& why);

  const std::string name_;
  const FileSinkConfig config_;
  const std::string suffix_;
  const Compression compression_;
  const Clock& clock_;
  std::optional<DirectoryLock> lock_;
  int fd_ = -1;
  std::string tmp_path_, final_path_;
  uint64_t written_ = 0;
  uint64_t synced_ = 0;  // bytes of the open file known durable
  std::string lost_;     // why batches answered Written() are gone, until Sync() says so
  SteadyTime opened_{};
  std::vector<iovec> iov_;  // the batch being written, reused
};

}  // namespace tributary
