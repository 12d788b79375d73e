#include "buffer/disk/ledger.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "buffer/disk/crc32c.h"

namespace tributary {
namespace {

// Writes `text` to `dir/name` atomically; with `durable`, also synced to disk.
Status WriteAtomically(const std::string& dir, const std::string& name, const std::string& text,
                       bool durable) {
  std::string tmp = dir + "/" + name + ".tmp", final_path = dir + "/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      return IoError("cannot write " + tmp + ": " + err);
    }
    done += static_cast<size_t>(n);
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

std::string WithChecksum(const std::string& body) {
  return body + fmt::format("crc {:08x}\n", crc32c::Value(body.data(), body.size()));
}

// Returns the body if the last line is a matching checksum.
std::optional<std::string> VerifyChecksum(const std::string& text) {
  size_t at = text.rfind("crc ");
  if (at == std::string::npos || (at != 0 && text[at - 1] != '\n')) return std::nullopt;
  std::string body = text.substr(0, at);
  unsigned long crc = std::strtoul(text.c_str() + at + 4, nullptr, 16);
  if (crc != crc32c::Value(body.data(), body.size())) return std::nullopt;
  return body;
}

}  // namespace

Result<std::optional<Ledger>> LoadLedger(const std::string& dir) {
  if (::access((dir + "/ledger").c_str(), F_OK) != 0) return std::optional<Ledger>();
  auto text = ReadWholeFile(dir + "/ledger");
  if (!text) return text.status();
  auto body = VerifyChecksum(*text);
  if (!body) return InvalidArgument("ledger checksum mismatch");
  Ledger l;
  std::istringstream in(*body);
  std::string header;
  std::getline(in, header);
  if (header != "tributary-ledger 1") return InvalidArgument("unknown ledger version");
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string kind, name;
    size_t slot;
    LogPosition p;
    if (!(ls >> kind >> slot >> p.segment >> p.offset >> p.event) || kind != "slot") {
      return InvalidArgument("bad ledger line: " + line);
    }
    std::getline(ls >> std::ws, name);
    if (l.slots.size() <= slot) l.slots.resize(slot + 1);
    l.slots[slot] = name;
    if (!name.empty()) l.acked[name] = p;
  }
  return std::optional<Ledger>(std::move(l));
}

Status SaveLedger(const std::string& dir, const Ledger& l) {
  std::string body = "tributary-ledger 1\n";
  for (size_t i = 0; i < l.slots.size(); ++i) {
    if (l.slots[i].empty()) continue;
    LogPosition p;
    if (auto it = l.acked.find(l.slots[i]); it != l.acked.end()) p = it->second;
    body += fmt::format("slot {} {} {} {} {}\n", i, p.segment, p.offset, p.event, l.slots[i]);
  }
  // Not synced: a process crash keeps the page cache, and a power loss that costs the
  // latest ledger only replays deliveries (an older or damaged ledger never skips any).
  return WriteAtomically(dir, "ledger", WithChecksum(body), false);
}

Result<std::vector<std::string>> LoadSlots(const std::string& dir) {
  std::vector<std::string> slots;
  if (::access((dir + "/slots").c_str(), F_OK) != 0) return slots;
  auto text = ReadWholeFile(dir + "/slots");
  if (!text) return text.status();
  auto body = VerifyChecksum(*text);
  if (!body) return InvalidArgument("slots file checksum mismatch");
  std::istringstream in(*body);
  for (std::string line; std::getline(in, line);) slots.push_back(line);
  return slots;
}

Status SaveSlots(const std::string& dir, const std::vector<std::string>& slots) {
  std::string body;
  for (const auto& s : slots) body += s + "\n";
  return WriteAtomically(dir, "slots", WithChecksum(body), true);
}

}  // namespace tributary
