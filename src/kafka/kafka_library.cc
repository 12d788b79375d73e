#include "kafka/kafka_library.h"

#include "core/shared_library.h"

namespace tributary {
namespace {

constexpr const char* kSoname = "librdkafka.so.1";

Result<const KafkaLibrary*> Open() {
  auto lib = SharedLibrary::Open(kSoname, "Kafka sources and sinks", "librdkafka1");
  if (!lib) return lib.status();
  static KafkaLibrary api;  // lives as long as the process, like the library
#define TRIBUTARY_KAFKA_RESOLVE(member, symbol) lib->Resolve(api.member, #symbol);
  TRIBUTARY_KAFKA_FUNCTIONS(TRIBUTARY_KAFKA_RESOLVE)
#undef TRIBUTARY_KAFKA_RESOLVE
  TRIBUTARY_RETURN_IF_ERROR(lib->Check("librdkafka 1.6"));
  return static_cast<const KafkaLibrary*>(&api);
}

}  // namespace

Result<const KafkaLibrary*> LoadKafka() {
  static const Result<const KafkaLibrary*> kLoaded = Open();
  return kLoaded;
}

}  // namespace tributary
