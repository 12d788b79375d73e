#include "sinks/file/file_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "format/compression.h"
#include "sinks/file/path_template.h"

namespace fs = std::filesystem;

namespace tributary {
namespace {

class FileSinkTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("tributary-file-sink-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  FileSinkConfig Config() {
    FileSinkConfig c;
    c.directory = dir_.string();
    c.path = "{yyyy}/{mm}/{uuid}.ndjson";
    return c;
  }
  static EncodedBatch Batch(std::string body) {
    EncodedBatch b;
    b.body = std::move(body);
    b.created_ns = 1'700'000'000'000'000'000;  // 2023-11-14
    return b;
  }
  std::vector<fs::path> Files() {
    std::vector<fs::path> out;
    if (!fs::exists(dir_)) return out;
    for (auto& e : fs::recursive_directory_iterator(dir_)) {
      if (e.is_regular_file() && e.path().filename() != FileSink::kLockName)
        out.push_back(e.path());
    }
    return out;
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path dir_;
  ManualClock clock_;
};

TEST_F(FileSinkTest, EachBatchBecomesACompleteFileByDefault) {
  FileSink sink("f", Config(), Compression::kNone, clock_);
  ASSERT_EQ(sink.Send(Batch("{\"a\":1}\n")).kind, SendResult::kOk);
  ASSERT_EQ(sink.Send(Batch("{\"a\":2}\n")).kind, SendResult::kOk);
  auto files = Files();
  ASSERT_EQ(files.size(), 2u);
  for (auto& f : files) {
    EXPECT_EQ(f.parent_path(), dir_ / "2023" / "11");
    EXPECT_EQ(f.extension(), ".ndjson");
    EXPECT_NE(f.filename().string()[0], '.');  // no temporary names left
  }
}

// A batch given as pieces (views into the disk queue's records) is written as if it were
// one body, in order, with more pieces than one gather write takes; one given as a body
// without its final newline gets one.
TEST_F(FileSinkTest, WritesPiecesInOrderAsOneBatch) {
  FileSinkConfig c = Config();
  c.max_file_age = std::chrono::seconds(10);
  FileSink sink("f", c, Compression::kNone, clock_);
  std::vector<std::string> lines;
  for (int i = 0; i < 2500; ++i) lines.push_back("{\"n\":" + std::to_string(i) + "}\n");
  EncodedBatch pieces = Batch("");
  std::string expected;
  for (const std::string& line : lines) {
    pieces.pieces.push_back(line);
    pieces.encoded_bytes += line.size();
    expected += line;
  }
  ASSERT_EQ(sink.Send(pieces).kind, SendResult::kOk);
  ASSERT_EQ(sink.Send(Batch("{\"n\":\"body\"}")).kind, SendResult::kOk);
  ASSERT_TRUE(sink.Close().ok());
  auto files = Files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(Read(files[0]), expected + "{\"n\":\"body\"}\n");
}

TEST_F(FileSinkTest, CollectsBatchesUntilSizeOrAgeAndHidesOpenFiles) {
  FileSinkConfig c = Config();
  c.max_file_bytes = 20;
  c.max_file_age = std::chrono::seconds(10);
  FileSink sink("f", c, Compression::kNone, clock_);
  SendResult r = sink.Send(Batch("0123456789\n"));
  ASSERT_EQ(r.kind, SendResult::kOk);
  EXPECT_TRUE(r.unsynced) << "a batch in an open file waits for Sync()";
  auto files = Files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename().string()[0], '.');  // still being written
  r = sink.Send(Batch("0123456789\n"));             // 22 bytes: complete
  ASSERT_EQ(r.kind, SendResult::kOk);
  EXPECT_FALSE(r.unsynced) << "completing the file synced it";
  files = Files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].filename().string()[0], '.');
  EXPECT_EQ(Read(files[0]), "0123456789\n0123456789\n");

  ASSERT_EQ(sink.Send(Batch("x\n")).kind, SendResult::kOk);
  sink.Poll(clock_.Now());
  EXPECT_EQ(Files().size(), 2u);
  clock_.Advance(std::chrono::seconds(10));
  sink.Poll(clock_.Now());  // closed by age
  for (auto& f : Files()) EXPECT_NE(f.filename().string()[0], '.');
}

TEST_F(FileSinkTest, SyncsInRoundsOrNotAtAllWithoutFsync) {
  FileSinkConfig c = Config();
  c.max_file_age = std::chrono::hours(1);
  FileSink sink("f", c, Compression::kNone, clock_);
  EXPECT_TRUE(sink.Sync().ok()) << "nothing open: nothing to sync";
  ASSERT_TRUE(sink.Send(Batch("a\n")).unsynced);
  ASSERT_TRUE(sink.Send(Batch("b\n")).unsynced);
  EXPECT_TRUE(sink.Sync().ok());
  ASSERT_TRUE(sink.Close().ok());
  ASSERT_EQ(Files().size(), 1u);
  EXPECT_EQ(Read(Files()[0]), "a\nb\n");

  c.fsync = false;
  c.directory = (dir_ / "unsynced").string();
  FileSink unsynced("g", c, Compression::kNone, clock_);
  SendResult r = unsynced.Send(Batch("c\n"));
  EXPECT_EQ(r.kind, SendResult::kOk);
  EXPECT_FALSE(r.unsynced) << "with fsync off a written batch is done";
}

// Pages of `path` in the page cache.
size_t CachedPages(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  size_t size = fs::file_size(path), page = ::sysconf(_SC_PAGESIZE),
         pages = (size + page - 1) / page;
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  std::vector<unsigned char> resident(pages);
  EXPECT_EQ(::mincore(map, size, resident.data()), 0);
  ::munmap(map, size);
  size_t n = 0;
  for (unsigned char r : resident) n += r & 1;
  return n;
}

TEST_F(FileSinkTest, ReleasesTheCachedPagesOfWhatItSynced) {
  FileSinkConfig c = Config();
  c.max_file_age = std::chrono::hours(1);
  FileSink sink("f", c, Compression::kNone, clock_);
  std::string body(1 << 20, 'x');
  body.back() = '\n';
  ASSERT_TRUE(sink.Send(Batch(body)).unsynced);
  ASSERT_EQ(Files().size(), 1u);
  fs::path open_file = Files()[0];
  struct statfs fs_info;
  ASSERT_EQ(::statfs(open_file.c_str(), &fs_info), 0);
  if (fs_info.f_type == TMPFS_MAGIC) GTEST_SKIP() << "tmpfs pages are the file: none to release";
  EXPECT_GE(CachedPages(open_file), 200u) << "written, not yet synced: cached";
  ASSERT_TRUE(sink.Sync().ok());
  EXPECT_EQ(CachedPages(open_file), 0u) << "synced: released";
  ASSERT_TRUE(sink.Send(Batch(body)).unsynced);
  EXPECT_GE(CachedPages(open_file), 200u) << "the next batch is cached until its sync";
  ASSERT_TRUE(sink.Close().ok());
  ASSERT_EQ(Files().size(), 1u);
  EXPECT_EQ(CachedPages(Files()[0]), 0u) << "completed: released";
  EXPECT_EQ(Read(Files()[0]), body + body) << "and all there";
}

TEST_F(FileSinkTest, AppendsTheCompressionSuffixAndClosesOnClose) {
  FileSinkConfig c = Config();
  c.max_file_age = std::chrono::hours(1);
  FileSink sink("f", c, Compression::kGzip, clock_);
  ASSERT_EQ(sink.Send(Batch("gz")).kind, SendResult::kOk);
  ASSERT_TRUE(sink.Close().ok());
  auto files = Files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].extension(), ".gz");
}

TEST_F(FileSinkTest, CompletesFilesLeftByACrash) {
  fs::create_directories(dir_ / "2023");
  std::ofstream(dir_ / "2023" / ".abc.ndjson.tmp") << "{\"left\":1}\n";
  std::ofstream(dir_ / "2023" / ".empty.ndjson.tmp");
  FileSink sink("f", Config(), Compression::kNone, clock_);
  auto n = sink.RecoverLeftovers();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_TRUE(fs::exists(dir_ / "2023" / "abc.ndjson"));
  EXPECT_FALSE(fs::exists(dir_ / "2023" / ".empty.ndjson.tmp"));
}

TEST_F(FileSinkTest, CutsAnUnfinishedBatchOffALeftover) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / ".torn.ndjson.tmp") << "{\"a\":1}\n{\"a\":2}\n{\"a\":";
  std::string gz;
  ASSERT_TRUE(Compress(Compression::kGzip, 6, "{\"b\":1}\n", gz).ok());
  std::string second;
  ASSERT_TRUE(Compress(Compression::kGzip, 6, "{\"b\":2}\n", second).ok());
  std::ofstream(dir_ / ".torn.ndjson.gz.tmp", std::ios::binary)
      << gz << second.substr(0, second.size() / 2);
  FileSink sink("f", Config(), Compression::kNone, clock_);
  ASSERT_TRUE(sink.RecoverLeftovers().ok());
  EXPECT_EQ(Read(dir_ / "torn.ndjson"), "{\"a\":1}\n{\"a\":2}\n");
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kGzip, Read(dir_ / "torn.ndjson.gz"), out, 1 << 20).ok());
  EXPECT_EQ(out, "{\"b\":1}\n");
}

// Recovery completes every temporary file in the directory, so a second sink there would
// rename the first one's open file under its feet.
TEST_F(FileSinkTest, RefusesADirectoryAnotherSinkWritesTo) {
  FileSinkConfig c = Config();
  c.max_file_age = std::chrono::hours(1);
  FileSink later("later", c, Compression::kNone, clock_);
  ASSERT_TRUE(later.RecoverLeftovers().ok()) << "no directory yet: nothing to lock";
  auto first = std::make_unique<FileSink>("first", c, Compression::kNone, clock_);
  ASSERT_TRUE(first->RecoverLeftovers().ok());
  ASSERT_EQ(first->Send(Batch("a\n")).kind, SendResult::kOk);  // creates and locks it

  FileSink second("second", c, Compression::kNone, clock_);
  auto refused = second.RecoverLeftovers();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.status().message(), dir_.string() +
                                            " is already in use by this process; give each "
                                            "file sink a directory of its own");
  SendResult r = later.Send(Batch("b\n"));
  EXPECT_EQ(r.kind, SendResult::kRetry) << "the directory was created and locked meanwhile";
  EXPECT_NE(r.error.find("already in use"), std::string::npos) << r.error;
  ASSERT_EQ(Files().size(), 1u);
  EXPECT_EQ(Files()[0].filename().string()[0], '.') << "the open file stays open";

  ASSERT_TRUE(first->Close().ok());
  first.reset();  // releases the lock
  EXPECT_EQ(later.Send(Batch("b\n")).kind, SendResult::kOk) << "the lock went with its sink";
}

TEST(CompletePrefix, FindsTheLastWholeBatch) {
  EXPECT_EQ(CompletePrefix(Compression::kNone, "a\nb\nc"), 4u);
  EXPECT_EQ(CompletePrefix(Compression::kNone, "abc"), 0u);
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    std::string two;
    ASSERT_TRUE(Compress(c, 3, "first", two).ok());
    size_t one = two.size();
    ASSERT_TRUE(Compress(c, 3, "second", two).ok());
    EXPECT_EQ(CompletePrefix(c, two), two.size());
    for (size_t cut = one; cut < two.size(); ++cut)
      ASSERT_EQ(CompletePrefix(c, std::string_view(two).substr(0, cut)), one);
    EXPECT_EQ(CompletePrefix(c, std::string_view(two).substr(0, one - 1)), 0u);
  }
}

TEST(PathTemplate, ExpandsAndValidates) {
  std::string p =
      ExpandPathTemplate("{yyyy}-{mm}-{dd}T{hh}:{MM}:{ss}/{sink}", 1'700'000'000'000'000'000, "s1");
  EXPECT_EQ(p, "2023-11-14T22:13:20/s1");
  EXPECT_EQ(ExpandPathTemplate("{uuid}", 0, "").size(), 36u);
  EXPECT_TRUE(ValidatePathTemplate("{yyyy}/{uuid}.ndjson").ok());
  EXPECT_FALSE(ValidatePathTemplate("{year}/x").ok());
  EXPECT_FALSE(ValidatePathTemplate("{yyyy").ok());
  EXPECT_FALSE(ValidatePathTemplate("dir/").ok());
}

}  // namespace
}  // namespace tributary
