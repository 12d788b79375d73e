#pragma once
// Libraries opened at run time (libcurl, librdkafka) rather than linked: the collectors
// that never use them do not carry their pages. One loader resolves the functions each
// needs; the error names what is missing and how to get it.

#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary {

class SharedLibrary {
 public:
  // dlopen(soname); the error says that `user` needs it and to install `package`.
  static Result<SharedLibrary> Open(const char* soname, std::string_view user,
                                    std::string_view package);

  // Sets `fn` to `symbol`, or notes the symbol as missing.
  template <typename Fn>
  void Resolve(Fn& fn, const char* symbol) {
    fn = reinterpret_cast<Fn>(Find(symbol));
  }
  // Ok, or what Resolve could not find and the version to install instead.
  Status Check(std::string_view minimum_version) const;

 private:
  SharedLibrary(void* handle, const char* soname) : handle_(handle), soname_(soname) {}
  void* Find(const char* symbol);

  void* handle_;  // never closed: the functions live as long as the process
  const char* soname_;
  std::string missing_;
};

}  // namespace tributary
