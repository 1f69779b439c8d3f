#pragma once
// How GitHub's HTTP answers become error kinds, and its rate-limit headers.

#include <string_view>

#include "core/clock.hpp"
#include "core/net/http_types.hpp"
#include "core/result.hpp"
#include "integrations/github/github_api.hpp"

namespace contexten::integrations::github {

// For a non-2xx answer to `what` ("POST /repos/o/r/issues"). The message is
// "<what>: HTTP <status>: <GitHub's message>[: <errors[].message>...]" (never a token).
//   401 -> kUnauthorized, 403 -> kUnauthorized unless a rate limit, 404 -> kNotFound,
//   409 -> kConflict, 410 -> kNotFound, 413 -> kTooLarge, 422/400 -> kInvalidInput,
//   5xx -> kTransient.
//   403/429 rate limits -> kRateLimited: retry-after (seconds) first; else
//   x-ratelimit-remaining: 0 with retry_after = x-ratelimit-reset - now (at least 1 s); else a
//   429 or a 403 whose message names a secondary rate limit waits 60 s, as GitHub documents.
core::Error ErrorFromResponse(std::string_view what, const core::net::HttpResponse& response,
                              core::WallTime now);

// The x-ratelimit-* headers; absent ones stay -1/empty. Nullopt if none is present.
std::optional<RateLimitInfo> ReadRateLimit(const core::net::HttpHeaders& headers);

}  // namespace contexten::integrations::github
