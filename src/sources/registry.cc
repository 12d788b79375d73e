// Every source type, in one list. A new source adds one line here.
#include "sources/http/http_type.h"
#include "sources/kafka/kafka_type.h"
#include "sources/source_type.h"

namespace tributary {

const std::vector<const SourceType*>& SourceTypes() {
  static const std::vector<const SourceType*> kTypes = {
      &HttpSourceType(),
      &KafkaSourceType(),
  };
  return kTypes;
}

const SourceType* FindSourceType(std::string_view name) {
  for (const SourceType* t : SourceTypes()) {
    if (t->name == name) return t;
  }
  return nullptr;
}

}  // namespace tributary
