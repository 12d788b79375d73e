#pragma once
// The payload of one disk-queue record: the routed events of one append, each with the
// set of queue slots (sinks) it goes to. An event is stored once however many sinks it
// goes to: the slot mask is its only per-sink cost (8 bytes).
//
//   u8 version (1) | i64 received_ns | u32 count | count × (u64 slot_mask, u32 length)
//   | the events as compact CloudEvents JSON, each followed by '\n'

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "routing/router.h"

namespace tributary {

struct DecodedRecord {
  EventBatchPtr batch;          // the events, parsed back; views into batch->input()
  std::vector<SinkMask> masks;  // slot mask of each event
  int64_t received_ns = 0;
};

// Appends the record payload for the events with a non-zero mask; fills `sizes` with the
// size of each of those events' JSON (as Event::size will be when read back), in order.
void EncodeRecord(const EventBatch& batch, std::span<const SinkMask> slot_masks, std::string& out,
                  std::vector<uint32_t>& sizes);

// With `attributes` false the events carry only their JSON and size, which is all that
// encoders without per-sink enrichment need; nothing is parsed then.
Result<DecodedRecord> DecodeRecord(std::string_view payload, bool attributes = true);
// The same for a payload in a string of its own. With `attributes` false the record keeps
// that string (taking it: `payload` is left empty) instead of copying it; else it copies.
Result<DecodedRecord> DecodeRecord(std::string&& payload, bool attributes = true);

// Clears the `slots` bits in every event mask of an encoded payload (drop_newest).
void ClearSlots(std::string& payload, SinkMask slots);

}  // namespace tributary
