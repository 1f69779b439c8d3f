#include "integrations/linear/linear_ids.hpp"

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <random>

#include "core/crypto.hpp"

namespace contexten::integrations::linear {

std::string NewLinearUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  {
    std::lock_guard lock(mu);
    hi = rng();
    lo = rng();
  }
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string UuidFromKey(std::string_view key) {
  // A namespace keeps these ids apart from any other use of SHA-256 over the same text.
  std::string digest = core::Sha256Hex("contexten.linear.entity-id:" + std::string(key));
  digest.resize(32);
  digest[12] = '4';  // version 4 (see the header for why not 5 or 8)
  static constexpr char kVariant[] = "89ab";
  const int nibble = std::stoi(digest.substr(16, 1), nullptr, 16);
  digest[16] = kVariant[nibble & 0x3];  // RFC 4122 variant: 10xx
  return digest.substr(0, 8) + "-" + digest.substr(8, 4) + "-" + digest.substr(12, 4) + "-" +
         digest.substr(16, 4) + "-" + digest.substr(20, 12);
}

}  // namespace contexten::integrations::linear
