#include "core/file_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace tributary {
namespace {

class WriteGatheredTest : public testing::Test {
 protected:
  void SetUp() override {
    char path[] = "/tmp/tributary-write-gathered-XXXXXX";
    fd_ = ::mkstemp(path);
    ASSERT_GE(fd_, 0);
    ::unlink(path);
  }
  void TearDown() override { ::close(fd_); }
  std::string Contents() {
    std::string s(static_cast<size_t>(::lseek(fd_, 0, SEEK_END)), '\0');
    EXPECT_EQ(::pread(fd_, s.data(), s.size(), 0), static_cast<ssize_t>(s.size()));
    return s;
  }
  static iovec Piece(const std::string& s) { return {const_cast<char*>(s.data()), s.size()}; }

  int fd_ = -1;
};

// Empty pieces anywhere (a run longer than one call takes, too) are skipped, never written
// as a write of nothing, which would look like no progress.
TEST_F(WriteGatheredTest, WritesEveryPieceInOrderAndSkipsEmptyOnes) {
  std::string a = "alpha ", b = "beta ", empty;
  std::vector<iovec> iov;
  iov.push_back(Piece(empty));
  iov.push_back(Piece(a));
  for (int i = 0; i < 3000; ++i) iov.push_back(Piece(empty));
  iov.push_back(Piece(b));
  iov.push_back(Piece(empty));
  ASSERT_EQ(WriteGathered(fd_, iov), 0);
  EXPECT_EQ(Contents(), "alpha beta ");
  for (const iovec& piece : iov) EXPECT_EQ(piece.iov_len, 0u) << "all consumed";
}

TEST_F(WriteGatheredTest, WritesAtAnOffsetWithoutMovingTheFilePosition) {
  std::string head = "0123456789", middle = "abc";
  std::vector<iovec> first = {Piece(head)};
  ASSERT_EQ(WriteGathered(fd_, first), 0);
  std::vector<iovec> at = {Piece(middle), Piece(middle)};
  ASSERT_EQ(WriteGathered(fd_, at, 2), 0);
  EXPECT_EQ(Contents(), "01abcabc89");
  EXPECT_EQ(::lseek(fd_, 0, SEEK_CUR), 10) << "pwritev leaves the position";
}

TEST_F(WriteGatheredTest, SaysWhyAWriteFailed) {
  std::string text = "x";
  std::vector<iovec> iov = {Piece(text)};
  int read_only = ::open("/proc/self/cmdline", O_RDONLY);
  ASSERT_GE(read_only, 0);
  EXPECT_EQ(WriteGathered(read_only, iov), EBADF);
  ::close(read_only);
}

}  // namespace
}  // namespace tributary
