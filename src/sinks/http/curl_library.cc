#include "sinks/http/curl_library.h"

#include <dlfcn.h>

#include <string>
#include <type_traits>

namespace tributary {
namespace {

constexpr const char* kSoname = "libcurl.so.4";

Result<const CurlLibrary*> Open() {
  void* lib = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    return Unsupported(std::string("the http sink needs libcurl, which could not be loaded (") +
                       dlerror() + "); install it, e.g. `apt-get install libcurl4`");
  }
  std::string missing;
  auto resolve = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
    if (!fn) missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  static CurlLibrary api;  // lives as long as the process, like the library
  resolve(api.easy_init, "curl_easy_init");
  resolve(api.easy_setopt, "curl_easy_setopt");
  resolve(api.easy_perform, "curl_easy_perform");
  resolve(api.easy_getinfo, "curl_easy_getinfo");
  resolve(api.easy_cleanup, "curl_easy_cleanup");
  resolve(api.easy_strerror, "curl_easy_strerror");
  resolve(api.slist_append, "curl_slist_append");
  resolve(api.slist_free_all, "curl_slist_free_all");
  decltype(&curl_global_init) global_init = nullptr;
  resolve(global_init, "curl_global_init");
  if (!missing.empty()) {
    return Unsupported(std::string(kSoname) + " lacks " + missing +
                       "; install libcurl 7.68 or newer");
  }
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
