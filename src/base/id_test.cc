#include "base/id.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace backline {
namespace {

TEST(IdTest, RoundTripsBothEncodings) {
  DeterministicRandom random(42);
  for (int i = 0; i < 100; ++i) {
    Id id = Id::Random(random);
    std::string b32 = id.ToBase32();
    EXPECT_EQ(26u, b32.size());
    EXPECT_EQ(id, Id::FromBase32(b32).value());
    EXPECT_EQ(22u, id.ToBase64Url().size());
    EXPECT_EQ(id, Id::FromBase64Url(id.ToBase64Url()).value());
  }
}

TEST(IdTest, DeterministicRandomRepeats) {
  DeterministicRandom a(7), b(7), c(8);
  EXPECT_EQ(Id::Random(a), Id::Random(b));
  EXPECT_NE(Id::Random(a), Id::Random(c));
}

TEST(IdTest, SystemRandomIdsDiffer) {
  std::unordered_set<Id> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(Id::Random(SystemRandom::Instance()));
  EXPECT_EQ(1000u, seen.size());
}

TEST(IdTest, RejectsBadText) {
  EXPECT_FALSE(Id::FromBase32("short").ok());
  EXPECT_FALSE(Id::FromBase32(std::string(26, '1')).ok());
  EXPECT_FALSE(Id::FromBase64Url(std::string(22, '*')).ok());
  EXPECT_TRUE(Id().IsZero());
}

}  // namespace
}  // namespace backline
