#pragma once
// How Linear answers trouble, mapped to error kinds: HTTP 429 or a GraphQL error whose
// extensions say type "ratelimited" / code "RATELIMITED" (Linear sends those with HTTP 400)
// -> kRateLimited with retry_after from the reset headers; authentication/forbidden ->
// kUnauthorized; invalid input / validation -> kInvalidInput; entity not found -> kNotFound;
// an id that already exists -> kConflict; 5xx -> kTransient.
// https://linear.app/developers/rate-limiting

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/net/http_types.hpp"
#include "core/result.hpp"

namespace contexten::integrations::linear {

// Linear's budget headers, read from every response. Reset times are Unix epoch milliseconds.
struct RateLimitInfo {
  std::optional<std::int64_t> requests_limit;        // X-RateLimit-Requests-Limit
  std::optional<std::int64_t> requests_remaining;    // X-RateLimit-Requests-Remaining
  std::optional<std::int64_t> requests_reset_ms;     // X-RateLimit-Requests-Reset
  std::optional<std::int64_t> complexity;            // X-Complexity (this query's cost)
  std::optional<std::int64_t> complexity_limit;      // X-RateLimit-Complexity-Limit
  std::optional<std::int64_t> complexity_remaining;  // X-RateLimit-Complexity-Remaining
  std::optional<std::int64_t> complexity_reset_ms;   // X-RateLimit-Complexity-Reset

  bool empty() const;
};

RateLimitInfo ParseRateLimitHeaders(const core::net::HttpHeaders& headers);

// How long until the exhausted budget resets, measured from `now_ms` (Unix ms): the request
// budget's reset, or the complexity budget's when that one is spent; a Retry-After (seconds)
// header wins when present. nullopt when the headers say nothing usable.
std::optional<std::chrono::milliseconds> RetryAfterFromHeaders(
    const core::net::HttpHeaders& headers, std::int64_t now_ms);

// The kind for one GraphQL error object ({message, extensions: {type, code}}).
core::ErrorKind KindForGraphqlError(const nlohmann::json& error);

// Maps a response that is not a clean success. `operation` names the call in the message (the
// credential never appears). `body` may be discarded/null when it was not JSON.
core::Error MapLinearError(std::string_view operation, const core::net::HttpResponse& response,
                           const nlohmann::json& body, std::int64_t now_ms);

}  // namespace contexten::integrations::linear
