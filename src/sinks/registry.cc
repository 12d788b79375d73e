// Every sink type, in one list. A new sink adds one line here.
#include "sinks/blackhole/blackhole_type.h"
#include "sinks/file/file_type.h"
#include "sinks/http/http_type.h"
#include "sinks/kafka/kafka_type.h"
#include "sinks/sink_type.h"
#include "sinks/stdout/stdout_type.h"

namespace tributary {

const std::vector<const SinkType*>& SinkTypes() {
  static const std::vector<const SinkType*> kTypes = {
      &FileSinkType(), &HttpSinkType(), &KafkaSinkType(), &StdoutSinkType(), &BlackholeSinkType(),
  };
  return kTypes;
}

const SinkType* FindSinkType(std::string_view name) {
  for (const SinkType* t : SinkTypes()) {
    if (t->name() == name) return t;
  }
  return nullptr;
}

}  // namespace tributary
