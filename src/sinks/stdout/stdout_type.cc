#include "sinks/stdout/stdout_type.h"

#include "sinks/stdout/stdout_sink.h"

namespace tributary {

const SinkType& StdoutSinkType() {
  static const OptionlessSinkType<StdoutSink> kType(
      "stdout", "Writes each batch to standard output, for debugging.");
  return kType;
}

}  // namespace tributary
