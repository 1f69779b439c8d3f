#include "integrations/slack/request_signing.hpp"

#include <charconv>

#include "core/crypto.hpp"

namespace contexten::integrations::slack {
namespace {

constexpr std::string_view kVersionPrefix = "v0=";

core::Status Reject(std::string reason) {
  return core::Unexpected(
      core::MakeError(core::ErrorKind::kUnauthorized, "slack request signature: " + reason));
}

std::string BaseString(std::string_view timestamp, std::string_view raw_body) {
  std::string base;
  base.reserve(4 + timestamp.size() + raw_body.size());
  base.append("v0:").append(timestamp).append(":").append(raw_body);
  return base;
}

}  // namespace

core::Status VerifySlackRequest(std::string_view signing_secret, std::string_view timestamp_header,
                                std::string_view signature_header, std::string_view raw_body,
                                const core::Clock& clock, std::chrono::seconds window) {
  if (timestamp_header.empty()) return Reject("missing X-Slack-Request-Timestamp");
  int64_t timestamp = 0;
  const auto* end = timestamp_header.data() + timestamp_header.size();
  const auto [ptr, ec] = std::from_chars(timestamp_header.data(), end, timestamp);
  if (ec != std::errc() || ptr != end || timestamp < 0) {
    return Reject("X-Slack-Request-Timestamp is not a Unix time in seconds");
  }
  // Checked before the signature so that a replayed (validly signed) request is still refused.
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.WallNow().time_since_epoch()).count();
  const int64_t skew = now > timestamp ? now - timestamp : timestamp - now;
  if (skew > window.count()) {
    return Reject("X-Slack-Request-Timestamp is " + std::to_string(skew) +
                  " s from now; window is " + std::to_string(window.count()) + " s");
  }

  if (signature_header.empty()) return Reject("missing X-Slack-Signature");
  if (!signature_header.starts_with(kVersionPrefix)) {
    return Reject("X-Slack-Signature does not start with v0=");
  }
  auto provided = core::HexDecode(signature_header.substr(kVersionPrefix.size()));
  if (!provided.has_value()) return Reject("X-Slack-Signature is not hex");
  const std::string expected =
      core::HmacSha256(signing_secret, BaseString(timestamp_header, raw_body));
  if (!core::ConstantTimeEquals(expected, *provided)) return Reject("signature mismatch");
  return core::Ok();
}

std::string SignSlackRequest(std::string_view signing_secret, int64_t timestamp,
                             std::string_view raw_body) {
  return std::string(kVersionPrefix) +
         core::HmacSha256Hex(signing_secret, BaseString(std::to_string(timestamp), raw_body));
}

}  // namespace contexten::integrations::slack
