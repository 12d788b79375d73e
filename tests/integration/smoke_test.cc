#include <gtest/gtest.h>
TEST(ISmoke, Builds) { SUCCEED(); }
