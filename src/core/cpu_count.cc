#include "core/cpu_count.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace tributary {
namespace {

// What could be read of it; nothing is no limit. (Not core/file_util's ReadWholeFile: this
// file is also in the installed library, which carries none of the collector's I/O.)
std::string ReadOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool HasToken(std::string_view list, std::string_view token) {
  auto tokens = Split(list, ',');
  return std::find(tokens.begin(), tokens.end(), token) != tokens.end();
}

std::optional<long long> ParseInteger(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// A quota over its period, in CPUs; none unless both are positive (v1 says -1 for none).
std::optional<double> Cpus(std::optional<long long> quota, std::optional<long long> period) {
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(*period);
}

// A cgroup v1 quota.
std::optional<double> ReadCfsQuota(const std::string& dir) {
  return Cpus(ParseInteger(ReadOrEmpty(dir + "/cpu.cfs_quota_us")),
              ParseInteger(ReadOrEmpty(dir + "/cpu.cfs_period_us")));
}

// A cgroup hierarchy as mounted: /proc/self/mountinfo's root (the part of the hierarchy the
// mount shows, not "/" inside some containers) and mount point.
struct CgroupMount {
  std::string root;
  std::string point;
};

// The mount of the v2 hierarchy, or of the v1 hierarchy that has the cpu controller.
std::optional<CgroupMount> FindMount(const std::string& mountinfo, bool v2) {
  for (std::string_view line : Split(mountinfo, '\n')) {
    auto fields = Split(line, ' ');
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
    std::string_view fstype = dash[1], super_options = dash[3];
    if (v2 ? fstype == "cgroup2" : fstype == "cgroup" && HasToken(super_options, "cpu"))
      return CgroupMount{std::string(fields[3]), std::string(fields[4])};
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> ParseCpuMax(std::string_view text) {
  auto fields = Split(text.substr(0, text.find('\n')), ' ');
  if (fields.size() != 2 || fields[0] == "max") return std::nullopt;
  return Cpus(ParseInteger(fields[0]), ParseInteger(fields[1]));
}

std::optional<double> CgroupCpuLimit(const std::string& root) {
  std::string base = root.empty() || root.back() != '/' ? root + "/" : root;
  std::string cgroups = ReadOrEmpty(base + "proc/self/cgroup");
  std::string mountinfo = ReadOrEmpty(base + "proc/self/mountinfo");
  std::optional<double> limit;
  for (std::string_view line : Split(cgroups, '\n')) {
    // hierarchy-ID:controller-list:cgroup-path; v2 is "0::path".
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    std::string path(line.substr(second + 1));
    bool v2 = line.substr(0, first) == "0" && controllers.empty();
    if (!v2 && !HasToken(controllers, "cpu")) continue;
    auto mount = FindMount(mountinfo, v2);
    if (!mount) continue;
    // The cgroup's directory under the mount point. A path outside what the mount shows (a
    // container's own namespace) means the mount point is the cgroup itself.
    std::string rel;
    if (mount->root == "/")
      rel = path;
    else if (path.rfind(mount->root, 0) == 0 &&
             (path.size() == mount->root.size() || path[mount->root.size()] == '/'))
      rel = path.substr(mount->root.size());
    // A quota on any ancestor applies too: the smallest along the way up counts.
    while (true) {
      std::string dir = base + mount->point.substr(1) + rel;
      std::optional<double> cpus =
          v2 ? ParseCpuMax(ReadOrEmpty(dir + "/cpu.max")) : ReadCfsQuota(dir);
      if (cpus && (!limit || *cpus < *limit)) limit = cpus;
      if (rel.empty() || rel == "/") break;
      size_t slash = rel.rfind('/');
      rel.erase(slash == std::string::npos ? 0 : slash);
    }
  }
  return limit;
}

unsigned AffinityCpuCount() {
  // cpu_set_t holds 1024 CPUs; a larger machine needs a larger set.
  for (size_t cpus = 1024; cpus <= (1u << 16); cpus *= 4) {
    cpu_set_t* set = CPU_ALLOC(cpus);
    size_t size = CPU_ALLOC_SIZE(cpus);
    int n = sched_getaffinity(0, size, set) == 0 ? CPU_COUNT_S(size, set) : -1;
    CPU_FREE(set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

unsigned UsableCpuCount() {
  static const unsigned count = [] {
    unsigned cpus = AffinityCpuCount();
    if (std::optional<double> quota = CgroupCpuLimit())
      cpus = std::min(cpus, static_cast<unsigned>(std::max(1.0, std::ceil(*quota))));
    return std::max(1u, cpus);
  }();
  return count;
}

}  // namespace tributary
