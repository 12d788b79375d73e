#include "core/uuid.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace tributary {
namespace {

TEST(Uuid, IsACanonicalVersion7UuidThatStartsWithItsMilliseconds) {
  const std::regex canonical("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id(kUuidTextLen, '\0');
    NewUuidV7(0x0123456789ab, id.data());
    ASSERT_TRUE(std::regex_match(id, canonical)) << id;
    EXPECT_EQ(id.substr(0, 13), "01234567-89ab");  // the 48-bit time, big-endian
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);  // the random bits differ
}

}  // namespace
}  // namespace tributary
