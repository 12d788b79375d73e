#include "sinks/blackhole/blackhole_type.h"

#include "sinks/blackhole/blackhole_sink.h"

namespace tributary {
namespace {

struct BlackholeConfig {};

const OptionTable<BlackholeConfig>& Table() {
  static const OptionTable<BlackholeConfig> kTable;
  return kTable;
}

Result<std::unique_ptr<Sink>> Build(const BlackholeConfig&, const SinkBuildContext&) {
  return std::unique_ptr<Sink>(std::make_unique<BlackholeSink>());
}

}  // namespace

const SinkType& BlackholeSinkType() {
  static const TableSinkType<BlackholeConfig> kType(
      "blackhole", "Discards every batch after encoding it, for benchmarks.", Table(), nullptr, Build);
  return kType;
}

}  // namespace tributary
