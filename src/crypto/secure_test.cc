// SecureWipe, ConstantTimeEqual and SecretBytes.
//
// To see whether SecretBytes really wipes its heap buffer, this test binary
// replaces the global operator new/delete ([replacement.functions]): delete
// looks at one watched buffer just before freeing it and records whether it
// was all zeros. Nothing else in the binary is affected.
#include "crypto/secure.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "base/bytes.h"

namespace {

enum class Freed { kNotYet, kAllZero, kNotZero };

const void* g_watched = nullptr;
size_t g_watched_size = 0;
Freed g_freed = Freed::kNotYet;

void InspectBeforeFree(void* p) {
  if (p == nullptr || p != g_watched) return;
  const auto* bytes = static_cast<const volatile uint8_t*>(p);
  bool zero = true;
  for (size_t i = 0; i < g_watched_size; ++i) zero = zero && bytes[i] == 0;
  g_freed = zero ? Freed::kAllZero : Freed::kNotZero;
  g_watched = nullptr;
}

// Watch the heap buffer at `p` (`size` bytes) until it is freed.
void Watch(const void* p, size_t size) {
  g_watched = p;
  g_watched_size = size;
  g_freed = Freed::kNotYet;
}

}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) {
    std::fputs("secure_test: out of memory\n", stderr);
    std::abort();
  }
  return p;
}
void operator delete(void* p) noexcept {
  InspectBeforeFree(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  InspectBeforeFree(p);
  std::free(p);
}

namespace backline::crypto {
namespace {

TEST(WatchedDeleteTest, SeesBytesLeftInAFreedBuffer) {
  // The control for the SecretBytes tests below: a buffer that is not wiped is
  // reported as such. Volatile stores, so the compiler cannot drop them.
  void* p = ::operator new(16);
  auto* bytes = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < 16; ++i) bytes[i] = 0xab;
  Watch(p, 16);
  ::operator delete(p);
  EXPECT_EQ(Freed::kNotZero, g_freed);
}

TEST(SecretBytesTest, WipesItsBufferWhenDestroyed) {
  {
    SecretBytes secret(AsBytes("correct horse battery staple"));
    ASSERT_EQ("correct horse battery staple", ToString(secret.span()));
    Watch(secret.data(), secret.size());
  }
  EXPECT_EQ(Freed::kAllZero, g_freed);
}

TEST(SecretBytesTest, WipesTheOldBufferWhenMovedOnto) {
  SecretBytes secret(AsBytes("the old session key"));
  ASSERT_EQ("the old session key", ToString(secret.span()));
  Watch(secret.data(), secret.size());
  secret = SecretBytes(AsBytes("the new one"));
  EXPECT_EQ(Freed::kAllZero, g_freed);
  EXPECT_EQ("the new one", ToString(secret.span()));
}

TEST(SecretBytesTest, MovedFromIsEmptyAndCopiesAreIndependent) {
  SecretBytes a(AsBytes("key"));
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented behaviour
  EXPECT_EQ("key", ToString(b.span()));

  SecretBytes c = b;
  c.mutable_span()[0] = 'K';
  EXPECT_EQ("key", ToString(b.span()));
  EXPECT_EQ("Key", ToString(c.span()));
}

TEST(SecureWipeTest, ZeroesTheSpan) {
  Bytes data = ToBytes("secret");
  SecureWipe(data);
  EXPECT_EQ(Bytes(6, 0), data);
  SecureWipe({});  // an empty span is fine
}

TEST(ConstantTimeEqualTest, ComparesLengthAndEveryByte) {
  Bytes a = ToBytes("0123456789abcdef");
  EXPECT_TRUE(ConstantTimeEqual(a, ToBytes("0123456789abcdef")));
  EXPECT_FALSE(ConstantTimeEqual(a, ToBytes("x123456789abcdef")));  // first byte
  EXPECT_FALSE(ConstantTimeEqual(a, ToBytes("0123456789abcdex")));  // last byte
  EXPECT_FALSE(ConstantTimeEqual(a, ToBytes("0123456789abcde")));   // a prefix
  EXPECT_FALSE(ConstantTimeEqual(a, {}));
  EXPECT_FALSE(ConstantTimeEqual({}, a));
  EXPECT_TRUE(ConstantTimeEqual({}, {}));
  for (size_t i = 0; i < a.size(); ++i) {
    Bytes b = a;
    b[i] ^= 0x01;
    EXPECT_FALSE(ConstantTimeEqual(a, b)) << "difference at byte " << i;
  }
}

}  // namespace
}  // namespace backline::crypto
