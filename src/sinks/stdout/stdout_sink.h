#pragma once
// Writes each batch to standard output (for debugging pipelines).

#include <cstdio>

#include "sinks/sink.h"

namespace tributary {

class StdoutSink final : public Sink {
 public:
  SendResult Send(const EncodedBatch& batch) override {
    if (std::fwrite(batch.body.data(), 1, batch.body.size(), stdout) != batch.body.size() ||
        std::fflush(stdout) != 0) {
      return SendResult::Retry("cannot write to standard output");
    }
    return SendResult::Ok();
  }
};

}  // namespace tributary
