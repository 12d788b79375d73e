#pragma once
// How many CPUs this process can keep busy, which is what thread pools are sized by. In a
// container that is rarely the machine's count: a pod limited to 2 CPUs on a 96-core node
// that starts 96 I/O threads spends its quota switching between them and is throttled.

#include <optional>
#include <string>
#include <string_view>

namespace tributary {

// The CPUs the process may run on (its affinity mask), capped by a cgroup CPU quota (v2
// cpu.max, v1 cpu.cfs_quota_us over cpu.cfs_period_us, the smallest along the cgroup's
// ancestors) rounded up; at least 1. Read once, at the first call.
unsigned UsableCpuCount();

// The parts, for tests. `root` is where /proc and /sys are found ("/" on a real system).
// The quota in CPUs, or nothing when there is none (or nothing could be read).
std::optional<double> CgroupCpuLimit(const std::string& root = "/");
// A cgroup v2 cpu.max: "max 100000" (no limit) or "200000 100000" (2 CPUs).
std::optional<double> ParseCpuMax(std::string_view text);
// What the calling thread's affinity mask allows, uncached.
unsigned AffinityCpuCount();

}  // namespace tributary
