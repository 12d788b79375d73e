#include "kafka/kafka_library.h"

#include <dlfcn.h>

#include <string>

namespace tributary {
namespace {

constexpr const char* kSoname = "librdkafka.so.1";

Result<const KafkaLibrary*> Open() {
  void* lib = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    return Unsupported(std::string("Kafka sources and sinks need librdkafka, which could not be "
                                   "loaded (") +
                       dlerror() + "); install it, e.g. `apt-get install librdkafka1`");
  }
  static KafkaLibrary api;  // lives as long as the process, like the library
  std::string missing;
#define TRIBUTARY_KAFKA_RESOLVE(member, symbol)                          \
  api.member = reinterpret_cast<decltype(&symbol)>(dlsym(lib, #symbol)); \
  if (!api.member) missing += std::string(missing.empty() ? "" : ", ") + #symbol;
  TRIBUTARY_KAFKA_FUNCTIONS(TRIBUTARY_KAFKA_RESOLVE)
#undef TRIBUTARY_KAFKA_RESOLVE
  if (!missing.empty()) {
    return Unsupported(std::string(kSoname) + " lacks " + missing +
                       "; install librdkafka 1.6 or newer");
  }
  return static_cast<const KafkaLibrary*>(&api);
}

}  // namespace

Result<const KafkaLibrary*> LoadKafka() {
  static const Result<const KafkaLibrary*> kLoaded = Open();
  return kLoaded;
}

}  // namespace tributary
