#include "integrations/github/webhook_verify.hpp"

#include "core/crypto.hpp"

namespace contexten::integrations::github {
namespace {

constexpr std::string_view kPrefix = "sha256=";

core::Status Reject(std::string_view reason) {
  return core::Unexpected(core::MakeError(core::ErrorKind::kUnauthorized,
                                          "github webhook signature: " + std::string(reason)));
}

}  // namespace

core::Status VerifyGitHubSignature(std::string_view secret, std::string_view raw_body,
                                   std::string_view signature_header) {
  if (signature_header.empty()) return Reject("missing X-Hub-Signature-256");
  // The legacy SHA-1 header ("sha1=") is deliberately not accepted.
  if (!signature_header.starts_with(kPrefix)) {
    return Reject("X-Hub-Signature-256 does not start with sha256=");
  }
  auto provided = core::HexDecode(signature_header.substr(kPrefix.size()));
  if (!provided.has_value()) return Reject("X-Hub-Signature-256 is not hex");
  if (!core::ConstantTimeEquals(core::HmacSha256(secret, raw_body), *provided)) {
    return Reject("signature mismatch");
  }
  return core::Ok();
}

std::string SignGitHubPayload(std::string_view secret, std::string_view raw_body) {
  return std::string(kPrefix) + core::HmacSha256Hex(secret, raw_body);
}

}  // namespace contexten::integrations::github
