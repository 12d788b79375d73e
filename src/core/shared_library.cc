#include "core/shared_library.h"

#include <dlfcn.h>

namespace tributary {

Result<SharedLibrary> SharedLibrary::Open(const char* soname, std::string_view user,
                                          std::string_view package) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    return Unsupported(std::string(user) + " needs " + soname + ", which could not be loaded (" +
                       dlerror() + "); install it, e.g. `apt-get install " + std::string(package) +
                       "`");
  }
  return SharedLibrary(handle, soname);
}

void* SharedLibrary::Find(const char* symbol) {
  void* p = dlsym(handle_, symbol);
  if (!p) missing_ += (missing_.empty() ? "" : ", ") + std::string(symbol);
  return p;
}

Status SharedLibrary::Check(std::string_view minimum_version) const {
  if (missing_.empty()) return Status::Ok();
  return Unsupported(std::string(soname_) + " lacks " + missing_ + "; install " +
                     std::string(minimum_version) + " or newer");
}

}  // namespace tributary
