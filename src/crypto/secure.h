// Handling of secret bytes: wiping, constant-time comparison, and SecretBytes,
// a buffer that wipes itself when destroyed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"

namespace backline::crypto {

// Overwrites `data` with zeros in a way the compiler will not elide.
void SecureWipe(std::span<uint8_t> data);

// True iff a and b have the same length and contents. The time taken depends
// only on the lengths, never on where the first difference is.
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

// Owns secret bytes; wipes them on destruction and on reassignment.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : data_(n) {}
  explicit SecretBytes(ByteSpan data) : data_(data.begin(), data.end()) {}
  SecretBytes(const SecretBytes& other) : data_(other.data_) {}
  SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) { other.data_.clear(); }
  SecretBytes& operator=(const SecretBytes& other) {
    if (this != &other) {
      SecureWipe(data_);
      data_ = other.data_;
    }
    return *this;
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      SecureWipe(data_);
      data_ = std::move(other.data_);
      other.data_.clear();
    }
    return *this;
  }
  ~SecretBytes() { SecureWipe(data_); }

  uint8_t* data() { return data_.data(); }
  const uint8_t* data() const { return data_.data(); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  ByteSpan span() const { return data_; }
  std::span<uint8_t> mutable_span() { return data_; }
  operator ByteSpan() const { return data_; }  // NOLINT(google-explicit-constructor)

 private:
  std::vector<uint8_t> data_;
};

}  // namespace backline::crypto
