#pragma once
// libcurl is opened when the first http sink is built, not linked into the binary. It brings
// about 25 libraries (two TLS stacks, Kerberos, LDAP, SSH, IDN...) whose relocated pages cost
// every collector ~5 MiB of resident memory, also the many that never POST anywhere.

#include <curl/curl.h>

#include "core/status.h"

namespace tributary {

// The libcurl functions Tributary calls, resolved from the shared library.
struct CurlLibrary {
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

// Opens libcurl once per process (thread-safe) and initialises it. The error names the library
// or symbol that is missing and the package that provides it.
Result<const CurlLibrary*> LoadCurl();

}  // namespace tributary
