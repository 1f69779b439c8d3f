#pragma once
// Linear webhook checks: Linear-Signature = hex HMAC-SHA256(secret, raw body), and the body's
// webhookTimestamp (Unix ms) must be close to now to stop replays.
// https://linear.app/developers/webhooks

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace contexten::integrations::linear {

inline constexpr std::chrono::seconds kLinearTimestampWindow{60};

// Missing header, bad hex or mismatch -> kUnauthorized with a reason safe to log.
core::Status VerifyLinearSignature(std::string_view secret, std::string_view raw_body,
                                   std::string_view signature_header);

// Parses `raw_body` as JSON and checks its webhookTimestamp. Invalid JSON, or a missing or
// non-numeric webhookTimestamp -> kInvalidInput; further than `window` from clock.WallNow() in
// either direction -> kUnauthorized ("webhookTimestamp is 75 s from now; window is 60 s").
core::Status CheckLinearTimestamp(std::string_view raw_body, const core::Clock& clock,
                                  std::chrono::seconds window = kLinearTimestampWindow);

// The same window check on an already-parsed timestamp (Unix milliseconds).
core::Status CheckLinearTimestampMs(int64_t webhook_timestamp_ms, const core::Clock& clock,
                                    std::chrono::seconds window = kLinearTimestampWindow);

// Hex signature as Linear would send it. Used by the sandbox and tests.
std::string SignLinearPayload(std::string_view secret, std::string_view raw_body);

}  // namespace contexten::integrations::linear
