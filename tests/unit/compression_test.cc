#include "format/compression.h"

#include <gtest/gtest.h>

namespace tributary {
namespace {

std::string Sample() {
  std::string s;
  for (int i = 0; i < 10000; ++i) s += "{\"n\":" + std::to_string(i) + ",\"msg\":\"hello\"}\n";
  return s;
}

class CompressionTest : public testing::TestWithParam<Compression> {};

TEST_P(CompressionTest, RoundTrips) {
  std::string in = Sample(), packed, out;
  ASSERT_TRUE(Compress(GetParam(), GetParam() == Compression::kGzip ? 6 : 3, in, packed).ok());
  if (GetParam() != Compression::kNone) {
    EXPECT_LT(packed.size(), in.size() / 4);
  }
  ASSERT_TRUE(Decompress(GetParam(), packed, out, 1 << 30).ok());
  EXPECT_EQ(out, in);
}

TEST_P(CompressionTest, ConcatenatedBatchesDecodeAsOneStream) {
  std::string packed, out;
  ASSERT_TRUE(Compress(GetParam(), 1, "first\n", packed).ok());
  ASSERT_TRUE(Compress(GetParam(), 1, "second\n", packed).ok());
  ASSERT_TRUE(Decompress(GetParam(), packed, out, 1 << 20).ok());
  EXPECT_EQ(out, "first\nsecond\n");
}

TEST_P(CompressionTest, StopsAtTheOutputLimit) {
  std::string in = Sample(), packed, out;
  ASSERT_TRUE(Compress(GetParam(), 1, in, packed).ok());
  EXPECT_EQ(Decompress(GetParam(), packed, out, in.size() - 1).code(), StatusCode::kTooLarge);
}

INSTANTIATE_TEST_SUITE_P(All, CompressionTest,
                         testing::Values(Compression::kNone, Compression::kGzip,
                                         Compression::kZstd));

TEST(Compression, RejectsCorruptInput) {
  std::string out;
  EXPECT_FALSE(Decompress(Compression::kGzip, "not gzip at all", out, 1 << 20).ok());
  EXPECT_FALSE(Decompress(Compression::kZstd, "not zstd at all", out, 1 << 20).ok());
  std::string packed;
  ASSERT_TRUE(Compress(Compression::kGzip, 6, Sample(), packed).ok());
  packed.resize(packed.size() / 2);
  out.clear();
  EXPECT_FALSE(Decompress(Compression::kGzip, packed, out, 1 << 30).ok());
}

TEST(Compression, ParsesNames) {
  EXPECT_EQ(*ParseCompression("gzip"), Compression::kGzip);
  EXPECT_EQ(FileSuffix(Compression::kZstd), ".zst");
  EXPECT_FALSE(ParseCompression("lz4").ok());
}

}  // namespace
}  // namespace tributary
