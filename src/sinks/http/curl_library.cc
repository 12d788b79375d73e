#include "sinks/http/curl_library.h"

#include <string>

#include "core/shared_library.h"

namespace tributary {
namespace {

constexpr const char* kSoname = "libcurl.so.4";

Result<const CurlLibrary*> Open() {
  auto lib = SharedLibrary::Open(kSoname, "the http sink", "libcurl4");
  if (!lib) return lib.status();
  static CurlLibrary api;  // lives as long as the process, like the library
  lib->Resolve(api.easy_init, "curl_easy_init");
  lib->Resolve(api.easy_setopt, "curl_easy_setopt");
  lib->Resolve(api.easy_perform, "curl_easy_perform");
  lib->Resolve(api.easy_getinfo, "curl_easy_getinfo");
  lib->Resolve(api.easy_cleanup, "curl_easy_cleanup");
  lib->Resolve(api.easy_strerror, "curl_easy_strerror");
  lib->Resolve(api.slist_append, "curl_slist_append");
  lib->Resolve(api.slist_free_all, "curl_slist_free_all");
  decltype(&curl_global_init) global_init = nullptr;
  lib->Resolve(global_init, "curl_global_init");
  TRIBUTARY_RETURN_IF_ERROR(lib->Check("libcurl 7.68"));
  // Done here, once, so that no two sinks race to do it inside curl_easy_init.
  if (CURLcode rc = global_init(CURL_GLOBAL_ALL); rc != CURLE_OK)
    return Unsupported("libcurl failed to initialise (code " + std::to_string(rc) + ")");
  return static_cast<const CurlLibrary*>(&api);
}

}  // namespace

Result<const CurlLibrary*> LoadCurl() {
  static const Result<const CurlLibrary*> kLoaded = Open();
  return kLoaded;
}

}  // namespace tributary
