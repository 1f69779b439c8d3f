#pragma once
// Hashing, HMAC and encodings used by webhook/request signature checks and (later) JWTs.
// Thin wrappers over OpenSSL 3's EVP/EVP_MAC APIs so no caller includes OpenSSL headers.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace contexten::core {

// Raw 32-byte HMAC-SHA256 digest of `data` keyed with `key` (bytes in a std::string).
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex HMAC-SHA256, the form GitHub, Slack and Linear put in their headers.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Lower-case hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);
// Accepts upper and lower case; odd length or a non-hex character -> kInvalidInput.
Result<std::string> HexDecode(std::string_view hex);

// RFC 4648 section 5 alphabet ('-', '_') without '=' padding, as JWT (RFC 7515) requires.
std::string Base64UrlEncode(std::string_view bytes);

// Timing-safe comparison for secrets and signatures. The time taken depends only on the
// lengths, never on where the contents differ: lengths are compared first (a length is not
// secret: every signature of one scheme has the same length), and equal-length inputs are
// compared with CRYPTO_memcmp, which always reads every byte.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace contexten::core
