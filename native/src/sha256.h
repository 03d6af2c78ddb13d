// SHA-256 (FIPS 180-4), for the manifest's checksums and the tokenizer's pieces fingerprint.
#pragma once
#include <cstdint>
#include <string>

namespace nextkey {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  std::string hexdigest();  // finishes the hash

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

// sha256 of a file's bytes; throws BundleError when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace nextkey
