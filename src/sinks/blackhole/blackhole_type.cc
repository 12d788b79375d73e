#include "sinks/blackhole/blackhole_type.h"

#include "sinks/blackhole/blackhole_sink.h"

namespace tributary {

const SinkType& BlackholeSinkType() {
  static const OptionlessSinkType<BlackholeSink> kType(
      "blackhole", "Discards every batch after encoding it, for benchmarks.",
      SinkTraits{.concurrent = true, .messages = true});
  return kType;
}

}  // namespace tributary
