#pragma once
// Accepts and discards every batch (for benchmarks and for measuring ingest alone).

#include "sinks/sink.h"

namespace tributary {

class BlackholeSink final : public Sink {
 public:
  SendResult Send(const EncodedBatch&) override { return SendResult::Ok(); }
};

}  // namespace tributary
