#include "core/file_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace tributary {

Status WriteAtomically(const std::string& dir, const std::string& name, const std::string& text,
                       bool durable) {
  std::string tmp = dir + "/" + name + ".tmp", final_path = dir + "/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create " + tmp + ": " + std::strerror(errno));
  iovec all{const_cast<char*>(text.data()), text.size()};
  if (int e = WriteGathered(fd, {&all, 1}); e != 0) {
    ::close(fd);
    return IoError("cannot write " + tmp + ": " + std::strerror(e));
  }
  if (durable && ::fsync(fd) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return IoError("fsync of " + tmp + " failed: " + err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return IoError("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return durable ? SyncDirectory(dir) : Status::Ok();
}

int WriteGathered(int fd, std::span<iovec> iov, int64_t offset) {
  size_t i = 0;
  while (true) {
    while (i < iov.size() && iov[i].iov_len == 0) ++i;  // so that no write is of nothing
    if (i == iov.size()) return 0;
    int count = static_cast<int>(std::min<size_t>(iov.size() - i, IOV_MAX));
    ssize_t n = offset < 0 ? ::writev(fd, &iov[i], count) : ::pwritev(fd, &iov[i], count, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;  // no progress on a regular file: do not spin
    if (offset >= 0) offset += n;
    // Past the entries written whole, into the one written in part.
    for (size_t done = static_cast<size_t>(n); done > 0;) {
      size_t step = std::min(done, iov[i].iov_len);
      iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + step;
      iov[i].iov_len -= step;
      done -= step;
      if (iov[i].iov_len == 0) ++i;
    }
  }
}

void DropCachedPages(int fd, uint64_t from, uint64_t to) {
  // Advice only: a failure costs memory, not data, so it is not reported.
  if (to > from) {
    ::posix_fadvise(fd, static_cast<off_t>(from), static_cast<off_t>(to - from),
                    POSIX_FADV_DONTNEED);
  }
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("fsync of directory " + dir + " failed: " + std::strerror(errno));
  return Status::Ok();
}

Result<DirectoryLock> DirectoryLock::Acquire(const std::string& dir, const std::string& name,
                                             const std::string& remedy) {
  std::string path = dir + "/" + name;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    char pid[32] = {};
    ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    if (e != EWOULDBLOCK) return IoError("cannot lock " + path + ": " + std::strerror(e));
    std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    // flock is per open file, so a second holder in this process is refused as well.
    if (holder == std::to_string(::getpid()))
      return Unavailable(dir + " is already in use by this process; " + remedy);
    return Unavailable(dir + " is in use by another process (pid " + holder + "); stop it, or " +
                       remedy);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  // The pid only serves a second process's message; the lock holds without it.
  [[maybe_unused]] bool noted =
      ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) > 0;
  return DirectoryLock(fd);
}

DirectoryLock& DirectoryLock::operator=(DirectoryLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return IoError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

}  // namespace tributary
