#include "buffer/disk/ledger.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "buffer/disk/crc32c.h"
#include "core/file_util.h"

namespace tributary {
namespace {

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
