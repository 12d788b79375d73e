#pragma once
// Names the calling thread as `top -H`, `perf` and /proc/PID/task/*/comm show it, so that an
// operator can tell which part of the collector uses the CPU.

#include <string_view>

namespace tributary {

// Linux keeps 15 bytes of a name; longer names are cut.
void NameThisThread(std::string_view name);

}  // namespace tributary
