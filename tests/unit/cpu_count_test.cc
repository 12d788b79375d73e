#include "core/cpu_count.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace tributary {
namespace {

namespace fs = std::filesystem;

// A fake root with /proc/self/{cgroup,mountinfo} and cgroup files, as a container or a
// host would show them.
class FakeRoot {
 public:
  FakeRoot()
      : dir_(fs::temp_directory_path() /
             ("tributary-cpu-count-" + std::to_string(::getpid()) + "-" +
              testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~FakeRoot() { fs::remove_all(dir_); }
  void Write(const std::string& path, const std::string& text) {
    fs::path p = dir_ / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string root() const { return dir_.string(); }

 private:
  fs::path dir_;
};

TEST(CpuCount, ReadsACgroupV2CpuMax) {
  EXPECT_EQ(ParseCpuMax("200000 100000\n"), 2.0);
  EXPECT_EQ(ParseCpuMax("150000 100000"), 1.5);
  EXPECT_EQ(ParseCpuMax("max 100000\n"), std::nullopt);  // no limit
  EXPECT_EQ(ParseCpuMax(""), std::nullopt);              // no file
  EXPECT_EQ(ParseCpuMax("0 100000"), std::nullopt);
  EXPECT_EQ(ParseCpuMax("2x 100000"), std::nullopt);
}

TEST(CpuCount, TakesTheSmallestQuotaAlongAV2CgroupsAncestors) {
  FakeRoot r;
  r.Write("proc/self/cgroup", "0::/kubepods/pod1/app\n");
  r.Write("proc/self/mountinfo",
          "22 1 0:21 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
          "23 1 8:1 / / rw - ext4 /dev/vda rw\n");
  r.Write("sys/fs/cgroup/kubepods/cpu.max", "max 100000\n");
  r.Write("sys/fs/cgroup/kubepods/pod1/cpu.max", "250000 100000\n");
  r.Write("sys/fs/cgroup/kubepods/pod1/app/cpu.max", "max 100000\n");
  EXPECT_EQ(CgroupCpuLimit(r.root()), 2.5);
  r.Write("sys/fs/cgroup/kubepods/pod1/app/cpu.max", "50000 100000\n");
  EXPECT_EQ(CgroupCpuLimit(r.root()), 0.5);
}

TEST(CpuCount, ReadsAV2ContainersOwnNamespace) {
  // With a cgroup namespace the container sees its cgroup as "/", mounted where its limit is.
  FakeRoot r;
  r.Write("proc/self/cgroup", "0::/\n");
  r.Write("proc/self/mountinfo", "30 25 0:26 / /sys/fs/cgroup ro - cgroup2 cgroup rw\n");
  r.Write("sys/fs/cgroup/cpu.max", "300000 100000\n");
  EXPECT_EQ(CgroupCpuLimit(r.root()), 3.0);
}

TEST(CpuCount, ReadsAV1CfsQuotaMountedAtTheContainersCgroup) {
  // Docker on cgroup v1 mounts the container's own cgroup (the mount's root) at the
  // hierarchy's usual place.
  FakeRoot r;
  r.Write("proc/self/cgroup",
          "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n3:cpuset:/docker/abc\n");
  r.Write("proc/self/mountinfo",
          "40 30 0:35 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
          "41 30 0:36 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro master:18 - cgroup cgroup "
          "rw,cpu,cpuacct\n"
          "42 30 0:37 /docker/abc /sys/fs/cgroup/cpuset ro - cgroup cgroup rw,cpuset\n");
  r.Write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "150000\n");
  r.Write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  // "cpuset" is not "cpu": its hierarchy holds no quota.
  r.Write("sys/fs/cgroup/cpuset/cpu.cfs_quota_us", "10000\n");
  r.Write("sys/fs/cgroup/cpuset/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuLimit(r.root()), 1.5);
}

TEST(CpuCount, FindsNoLimitWhereThereIsNone) {
  FakeRoot r;
  EXPECT_EQ(CgroupCpuLimit(r.root()), std::nullopt);  // nothing readable
  r.Write("proc/self/cgroup", "1:cpu:/\n0::/\n");
  r.Write("proc/self/mountinfo",
          "22 1 0:21 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
          "23 1 0:22 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
  r.Write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
  r.Write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuLimit(r.root()), std::nullopt);
}

TEST(CpuCount, CountsTheCpusTheAffinityMaskAllows) {
  unsigned all = AffinityCpuCount();
  EXPECT_GE(all, 1u);
  EXPECT_LE(all, std::max(1u, std::thread::hardware_concurrency()));
  // Restricted to one CPU, a thread sees one; what it may run on is what counts.
  std::thread([] {
    cpu_set_t one;
    CPU_ZERO(&one);
    ASSERT_EQ(sched_getaffinity(0, sizeof one, &one), 0);
    int first = 0;
    while (!CPU_ISSET(first, &one)) ++first;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    EXPECT_EQ(AffinityCpuCount(), 1u);
  }).join();
  EXPECT_GE(UsableCpuCount(), 1u);
  EXPECT_LE(UsableCpuCount(), all);
}

}  // namespace
}  // namespace tributary
