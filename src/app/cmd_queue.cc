// `tributary queue inspect|verify DIR`: reads a disk queue without changing it.
#include <fmt/format.h>

#include <map>

#include "app/commands.h"
#include "buffer/disk/ledger.h"
#include "buffer/disk/log_reader.h"
#include "buffer/disk/record.h"
#include "buffer/disk/segment.h"

namespace tributary {
namespace {

struct SegmentReport {
  uint64_t number = 0, bytes = 0, records = 0, events = 0, corrupt = 0, corrupt_bytes = 0;
  std::vector<std::string> problems;
};

struct Reporter : log::Reader::Reporter {
  SegmentReport* r;
  void Corrupt(const log::Reader::Corruption& c) override {
    ++r->corrupt;
    r->corrupt_bytes += c.bytes;
    r->problems.push_back(fmt::format("offset {}: {} ({} bytes)", c.offset, c.reason, c.bytes));
  }
};

}  // namespace

int QueueCommand(const std::string& action, const std::string& dir) {
  const bool verify = action == "verify";
  auto segments = ListSegments(dir);
  if (!segments) {
    std::fprintf(stderr, "%s\n", segments.status().message().c_str());
    return 2;
  }
  auto slots = LoadSlots(dir);
  auto ledger = LoadLedger(dir);
  bool damaged = false;
  std::printf("disk queue %s\n", dir.c_str());
  std::vector<std::string> slot_names = slots.ok() ? *slots : std::vector<std::string>();
  if (!slots.ok()) {
    damaged = true;
    std::printf("slots: DAMAGED (%s)\n", slots.status().message().c_str());
  }
  if (!ledger.ok()) {
    damaged = true;
    std::printf(
        "ledger: DAMAGED (%s); the collector will rebuild it (redelivering from the oldest "
        "segment)\n",
        ledger.status().message().c_str());
  } else if (!*ledger) {
    std::printf("ledger: missing%s\n", segments->empty() ? "" : "; the collector will rebuild it");
  } else {
    if (slot_names.empty()) slot_names = (*ledger)->slots;
    std::printf("ledger: ok\n");
    for (const auto& [name, p] : (*ledger)->acked) {
      std::printf("  sink %-20s delivered up to segment %llu offset %llu event %u\n", name.c_str(),
                  static_cast<unsigned long long>(p.segment),
                  static_cast<unsigned long long>(p.offset), p.event);
    }
  }

  std::map<std::string, uint64_t> pending;
  uint64_t total_records = 0, total_events = 0, total_corrupt = 0;
  std::printf("segments: %zu\n", segments->size());
  for (uint64_t seg : *segments) {
    SegmentReport r;
    r.number = seg;
    auto data = ReadWholeFile(SegmentPath(dir, seg));
    if (!data) {
      std::printf("  %020llu: UNREADABLE (%s)\n", static_cast<unsigned long long>(seg),
                  data.status().message().c_str());
      damaged = true;
      continue;
    }
    r.bytes = data->size();
    Reporter rep;
    rep.r = &r;
    log::Reader reader(*data, 0, &rep);
    std::string_view rec;
    std::string scratch;
    uint64_t off;
    while (reader.ReadRecord(&rec, &scratch, &off)) {
      auto decoded = DecodeRecord(rec);
      if (!decoded) {
        ++r.corrupt;
        r.problems.push_back(fmt::format("offset {}: {}", off, decoded.status().message()));
        continue;
      }
      ++r.records;
      r.events += decoded->masks.size();
      for (size_t slot = 0; slot < slot_names.size(); ++slot) {
        LogPosition start;
        if (ledger.ok() && *ledger) {
          auto it = (*ledger)->acked.find(slot_names[slot]);
          if (it != (*ledger)->acked.end()) start = it->second;
        }
        for (uint32_t i = 0; i < decoded->masks.size(); ++i) {
          if ((decoded->masks[i] >> slot & 1) && LogPosition{seg, off, i} >= start)
            ++pending[slot_names[slot]];
        }
      }
    }
    if (reader.end_offset() < r.bytes && r.corrupt == 0) {
      r.problems.push_back(fmt::format("torn tail: {} bytes after offset {} (a clean end)",
                                       r.bytes - reader.end_offset(), reader.end_offset()));
    }
    std::printf("  %020llu: %llu bytes, %llu records, %llu events, %llu corrupt\n",
                static_cast<unsigned long long>(seg), static_cast<unsigned long long>(r.bytes),
                static_cast<unsigned long long>(r.records),
                static_cast<unsigned long long>(r.events),
                static_cast<unsigned long long>(r.corrupt));
    for (const auto& p : r.problems) std::printf("      %s\n", p.c_str());
    total_records += r.records;
    total_events += r.events;
    total_corrupt += r.corrupt;
  }
  std::printf("total: %llu records, %llu events, %llu corrupt\n",
              static_cast<unsigned long long>(total_records),
              static_cast<unsigned long long>(total_events),
              static_cast<unsigned long long>(total_corrupt));
  for (size_t slot = 0; slot < slot_names.size(); ++slot) {
    std::printf("  sink %-20s (slot %zu): %llu events not yet delivered\n",
                slot_names[slot].c_str(), slot,
                static_cast<unsigned long long>(pending[slot_names[slot]]));
  }
  if (verify) {
    bool bad = total_corrupt > 0 || damaged;
    std::printf("%s\n", bad ? "verify: CORRUPTION FOUND" : "verify: every checksum is good");
    return bad ? 1 : 0;
  }
  return 0;
}

}  // namespace tributary
