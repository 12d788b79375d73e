// Byte-level tests of the disk queue's record framing (LevelDB's log format).
#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <random>

#include "buffer/disk/crc32c.h"
#include "buffer/disk/log_reader.h"
#include "buffer/disk/log_writer.h"
#include "core/file_util.h"

namespace tributary::log {
namespace {

struct Collected : Reader::Reporter {
  std::vector<Reader::Corruption> list;
  uint64_t dropped = 0;
  void Corrupt(const Reader::Corruption& c) override {
    list.push_back(c);
    dropped += c.bytes;
  }
};

std::string Payload(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

// Frames `payload` with `w` and appends the bytes the disk queue would write to `file`.
void Append(Writer& w, std::string_view payload, std::string& file) {
  Framed framed;
  w.AddRecord(payload, framed);
  for (const iovec& piece : framed.pieces())
    file.append(static_cast<const char*>(piece.iov_base), piece.iov_len);
}

std::vector<std::string> ReadAll(std::string_view data, Collected* rep) {
  Reader r(data, 0, rep);
  std::vector<std::string> out;
  std::string_view rec;
  std::string scratch;
  uint64_t off;
  while (r.ReadRecord(&rec, &scratch, &off)) out.emplace_back(rec);
  return out;
}

// Records of many sizes, some spanning several blocks, some ending near block edges.
std::vector<std::string> Records() {
  std::vector<std::string> recs;
  const size_t sizes[] = {0,    1,     100, kBlockSize - 2 * kHeaderSize, 3, kBlockSize * 2 + 17,
                          5000, 40000, 10};
  char seed = 'a';
  for (size_t n : sizes) recs.push_back(Payload(n, seed++));
  return recs;
}

std::string WriteAll(const std::vector<std::string>& recs, std::vector<uint64_t>* ends = nullptr) {
  Writer w;
  std::string file;
  for (const auto& r : recs) {
    Append(w, r, file);
    if (ends) ends->push_back(file.size());
  }
  return file;
}

TEST(Crc32c, MatchesKnownValuesAndMasks) {
  // RFC 3720 B.4 test vector: 32 bytes of zeros.
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros.data(), zeros.size()), 0x8a9136aau);
  EXPECT_EQ(crc32c::Value("123456789", 9), 0xe3069283u);
  EXPECT_EQ(crc32c::Extend(crc32c::Value("1234", 4), "56789", 5), 0xe3069283u);
  uint32_t c = crc32c::Value("foo", 3);
  EXPECT_NE(crc32c::Mask(c), c);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(c)), c);
}

TEST(Crc32c, AgreesWithTheTableAtEveryLengthOffsetAndSplit) {
  // The hardware path checksums three blocks at once and joins them; any slip in the join
  // shows as a mismatch against the byte-at-a-time table for some length or alignment.
  std::mt19937 rng(5);
  std::string data(40000, '\0');
  for (char& ch : data) ch = static_cast<char>(rng());
  for (size_t n : {0, 1, 7, 8, 9, 6143, 6144, 6145, 12288, 12295, 32761, 39990}) {
    for (size_t offset : {0, 1, 3, 8}) {
      const char* p = data.data() + offset;
      uint32_t expected = crc32c::internal::ExtendOneByteAtATime(0, p, n);
      EXPECT_EQ(crc32c::Value(p, n), expected) << n << " bytes at +" << offset;
      size_t half = n / 3;
      EXPECT_EQ(crc32c::Extend(crc32c::Value(p, half), p + half, n - half), expected)
          << n << " bytes split at " << half;
    }
  }
  for (int i = 0; i < 200; ++i) {
    size_t n = rng() % 30000, offset = rng() % 64;
    uint32_t seed = rng();
    EXPECT_EQ(crc32c::Extend(seed, data.data() + offset, n),
              crc32c::internal::ExtendOneByteAtATime(seed, data.data() + offset, n));
  }
}

TEST(LogFormat, RoundTripsRecordsAcrossBlocks) {
  auto recs = Records();
  std::string file = WriteAll(recs);
  Collected rep;
  EXPECT_EQ(ReadAll(file, &rep), recs);
  EXPECT_TRUE(rep.list.empty());
}

TEST(LogFormat, WriterContinuesFromAnOffset) {
  std::string first = WriteAll({Payload(kBlockSize - 3, 'x')});
  Writer w(first.size());
  std::string rest;
  Append(w, "tail", rest);
  Collected rep;
  auto got = ReadAll(first + rest, &rep);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "tail");
}

TEST(LogFormat, EveryTruncationPointIsACleanEndAfterTheLastWholeRecord) {
  auto recs = Records();
  std::vector<uint64_t> ends;
  std::string file = WriteAll(recs, &ends);
  for (size_t cut = 0; cut <= file.size(); ++cut) {
    Collected rep;
    auto got = ReadAll(std::string_view(file).substr(0, cut), &rep);
    size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= cut) ++whole;
    ASSERT_EQ(got.size(), whole) << "cut at " << cut;
    for (size_t i = 0; i < whole; ++i) ASSERT_EQ(got[i], recs[i]) << "cut at " << cut;
    ASSERT_TRUE(rep.list.empty()) << "a torn tail is not corruption (cut at " << cut << ")";
  }
}

TEST(LogFormat, AFlippedBitCostsOnlyTheRecordsOfItsBlock) {
  // One small record per block so the damage of each flip is easy to state.
  std::vector<std::string> recs;
  Writer w;
  std::string file;
  for (int i = 0; i < 6; ++i) {
    recs.push_back(
        Payload(kBlockSize - kHeaderSize, static_cast<char>('A' + i)));  // exactly one block
    Append(w, recs.back(), file);
  }
  ASSERT_EQ(file.size(), 6 * kBlockSize);
  std::mt19937 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    std::string damaged = file;
    size_t block = rng() % 6;
    size_t within =
        trial % 2 == 0 ? rng() % kHeaderSize : kHeaderSize + rng() % (kBlockSize - kHeaderSize);
    damaged[block * kBlockSize + within] ^= static_cast<char>(1 << (rng() % 8));
    Collected rep;
    auto got = ReadAll(damaged, &rep);
    ASSERT_EQ(got.size(), 5u) << "trial " << trial << " flipped block " << block << " byte "
                              << within;
    ASSERT_EQ(rep.list.size(), 1u);
    EXPECT_EQ(rep.list[0].offset, block * kBlockSize);
    for (size_t i = 0, j = 0; i < 6; ++i) {
      if (i == block) continue;
      ASSERT_EQ(got[j++], recs[i]);
    }
  }
}

TEST(LogFormat, AZeroedBlockInTheMiddleIsReportedAndSkipped) {
  auto recs = Records();
  std::string file = WriteAll(recs);
  std::string damaged = file;
  std::fill(damaged.begin() + kBlockSize, damaged.begin() + 2 * kBlockSize, '\0');
  Collected rep;
  auto got = ReadAll(damaged, &rep);
  EXPECT_FALSE(rep.list.empty());
  EXPECT_LT(got.size(), recs.size());
  EXPECT_EQ(got.back(), recs.back());  // records after the damage are still read
  // Zeros at the very end are a torn tail, not corruption.
  std::string tail = file + std::string(100, '\0');
  Collected rep2;
  EXPECT_EQ(ReadAll(tail, &rep2), recs);
  EXPECT_TRUE(rep2.list.empty());
}

TEST(LogFormat, DamagedMiddleFragmentDropsOnlyThatRecord) {
  std::vector<std::string> recs = {"before", Payload(3 * kBlockSize, 'm'), "after"};
  std::string file = WriteAll(recs);
  file[kBlockSize + 100] ^= 0x10;  // inside the spanning record's second fragment
  Collected rep;
  auto got = ReadAll(file, &rep);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "before");
  EXPECT_EQ(got[1], "after");
  EXPECT_GE(rep.list.size(), 1u);
}

// The disk queue writes a round as pieces: headers from the framing, payloads as they are.
// Written with gather writes at an offset in a file (more pieces than one pwritev takes),
// the records read back whole, and no payload byte was copied into the framing.
TEST(LogWriter, FramesRecordsAsPiecesForAGatherWriteWithoutCopyingThem) {
  std::vector<std::string> recs = Records();
  for (int i = 0; i < 600; ++i) recs.push_back(Payload(1 + i % 90, static_cast<char>(i)));
  char path[] = "/tmp/tributary-log-writer-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  const std::string before = "earlier records";
  ASSERT_EQ(::pwrite(fd, before.data(), before.size(), 0), static_cast<ssize_t>(before.size()));

  Writer w(before.size());
  Framed framed;
  for (const std::string& r : recs) w.AddRecord(r, framed);
  size_t payload_pieces = 0;
  for (const iovec& piece : framed.pieces()) {
    for (const std::string& r : recs) {
      auto* p = static_cast<const char*>(piece.iov_base);
      if (!r.empty() && p >= r.data() && p < r.data() + r.size()) ++payload_pieces;
    }
  }
  EXPECT_GE(payload_pieces, recs.size() - 1) << "payloads are views, not copies";
  ASSERT_GT(framed.pieces().size(), static_cast<size_t>(IOV_MAX));
  const size_t size = framed.size();
  ASSERT_EQ(WriteGathered(fd, framed.pieces(), static_cast<int64_t>(before.size())), 0);

  std::string file(before.size() + size, '\0');
  ASSERT_EQ(::pread(fd, file.data(), file.size(), 0), static_cast<ssize_t>(file.size()));
  ::close(fd);
  EXPECT_EQ(file.substr(0, before.size()), before);
  Collected rep;
  Reader r(std::string_view(file).substr(before.size()), before.size(), &rep);
  std::string_view rec;
  std::string scratch;
  uint64_t off;
  size_t n = 0;
  while (r.ReadRecord(&rec, &scratch, &off)) {
    ASSERT_LT(n, recs.size());
    EXPECT_EQ(rec, recs[n]) << "record " << n;
    ++n;
  }
  EXPECT_EQ(n, recs.size());
  EXPECT_TRUE(rep.list.empty());
}

}  // namespace
}  // namespace tributary::log
