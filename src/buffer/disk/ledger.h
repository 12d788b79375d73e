#pragma once
// The ledger: which queue slot (bit in a record's mask) belongs to which sink, and each
// slot's acknowledged position. Written whole to a temporary file and renamed, with a
// checksum (not synced: losing the latest copy only replays deliveries); a missing or damaged
// ledger is rebuilt by the disk buffer (every slot restarts at the oldest segment: duplicates,
// never loss).
//
// The slot table is also kept in its own small file (`slots`), written when a sink is
// first seen, so that a damaged ledger never loses which bit is which sink.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "buffer/disk/segment.h"
#include "core/status.h"

namespace tributary {

struct Ledger {
  std::vector<std::string> slots;            // slot i = sink name
  std::map<std::string, LogPosition> acked;  // by sink name
};

// nullopt if the file is missing; an error if it is damaged.
Result<std::optional<Ledger>> LoadLedger(const std::string& dir);
Status SaveLedger(const std::string& dir, const Ledger& ledger);

Result<std::vector<std::string>> LoadSlots(const std::string& dir);
Status SaveSlots(const std::string& dir, const std::vector<std::string>& slots);

}  // namespace tributary
