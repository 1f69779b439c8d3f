#pragma once
// GitHub webhook signature: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(secret, raw body).
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace contexten::integrations::github {

// Missing header, a prefix other than "sha256=", bad hex or a mismatch -> kUnauthorized with a
// reason safe to log (never the secret or the expected signature). Hex of either case is
// accepted; the comparison is constant-time.
core::Status VerifyGitHubSignature(std::string_view secret, std::string_view raw_body,
                                   std::string_view signature_header);

// "sha256=<hex>", what GitHub would send. Used by the sandbox and tests.
std::string SignGitHubPayload(std::string_view secret, std::string_view raw_body);

}  // namespace contexten::integrations::github
