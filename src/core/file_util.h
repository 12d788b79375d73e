#pragma once
// Small file helpers shared by the disk queue, the dead-letter queue and the file sink.

#include <sys/uio.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "core/status.h"

namespace tributary {

// Writes `text` to `dir/name` through a temporary file and a rename, so that readers see
// the old or the new content, never a mix; with `durable`, also synced to disk (file and
// directory).
Status WriteAtomically(const std::string& dir, const std::string& name, const std::string& text,
                       bool durable);

// Writes all of `iov` with as few gather writes as IOV_MAX allows, resuming partial ones:
// at `offset` (pwritev), or at the file position if `offset` is negative (writev). Advances
// the entries of `iov` as it goes. Returns 0, or the errno of the write that failed.
int WriteGathered(int fd, std::span<iovec> iov, int64_t offset = -1);

// Reads a whole file.
Result<std::string> ReadWholeFile(const std::string& path);

// Tells the kernel that bytes [from, to) of `fd`, already on disk, will not be read again, so
// that their page-cache pages are freed now and reused by the next writes. Tributary's
// files are streams written once; left cached they push out the pages of the applications
// beside it, and a page the cache grows by costs more than one reused (on a VM, where a
// page never touched faults into the hypervisor, writes into reused pages are ~3x faster).
// Pages still dirty are not dropped (the call starts their writeback instead).
void DropCachedPages(int fd, uint64_t from, uint64_t to);

// fsyncs a directory so that a created, renamed or deleted entry is durable.
Status SyncDirectory(const std::string& dir);

// An exclusive lock on `dir` (the file `dir/name`, holding the owner's pid), held while the
// object lives and released by the kernel if the process dies, so there is never a stale
// lock to clean up. Two processes on one disk queue would delete and truncate each other's
// segments; two file sinks in one directory would complete each other's open files.
class DirectoryLock {
 public:
  // Fails with kUnavailable if another holder has it (another process, or another
  // DirectoryLock of this one), naming its pid and ending with what to do: `remedy`.
  static Result<DirectoryLock> Acquire(const std::string& dir, const std::string& name,
                                       const std::string& remedy);
  DirectoryLock(DirectoryLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  DirectoryLock& operator=(DirectoryLock&& o) noexcept;
  ~DirectoryLock();

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace tributary
