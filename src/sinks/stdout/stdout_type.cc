#include "sinks/stdout/stdout_type.h"

#include "sinks/stdout/stdout_sink.h"

namespace tributary {
namespace {

struct StdoutConfig {};

const OptionTable<StdoutConfig>& Table() {
  static const OptionTable<StdoutConfig> kTable;
  return kTable;
}

Result<std::unique_ptr<Sink>> Build(const StdoutConfig&, const SinkBuildContext&) {
  return std::unique_ptr<Sink>(std::make_unique<StdoutSink>());
}

}  // namespace

const SinkType& StdoutSinkType() {
  static const TableSinkType<StdoutConfig> kType(
      "stdout", "Writes each batch to standard output, for debugging.", Table(), nullptr, Build);
  return kType;
}

}  // namespace tributary
