#pragma once
// Slack v0 request signing for HTTP mode (Socket Mode needs none: the socket is authenticated).
// https://api.slack.com/authentication/verifying-requests-from-slack

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace contexten::integrations::slack {

// Slack's documented replay window: a request more than five minutes old (or ahead) is rejected.
inline constexpr std::chrono::seconds kSlackTimestampWindow{300};

// Checks X-Slack-Request-Timestamp (decimal Unix seconds, within `window` of clock.WallNow() in
// either direction) and X-Slack-Signature ("v0=" + hex HMAC-SHA256 of "v0:{ts}:{raw_body}").
// Any failure is kUnauthorized with a reason safe to log (never the secret or the expected
// signature). An empty header value is treated as a missing header.
core::Status VerifySlackRequest(std::string_view signing_secret, std::string_view timestamp_header,
                                std::string_view signature_header, std::string_view raw_body,
                                const core::Clock& clock,
                                std::chrono::seconds window = kSlackTimestampWindow);

// "v0=<hex>" for `raw_body` sent at `timestamp` (Unix seconds). Used by the sandbox and tests.
std::string SignSlackRequest(std::string_view signing_secret, int64_t timestamp,
                             std::string_view raw_body);

}  // namespace contexten::integrations::slack
