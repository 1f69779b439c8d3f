#pragma once
// GitHub App authentication: an RS256 JWT signed with the app's private key (iat = now - 60 s
// for clock drift, exp = now + 9 min, under GitHub's 10-minute cap), exchanged at
// POST /app/installations/{id}/access_tokens for an installation token that is cached until
// 5 minutes before its expires_at.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/result.hpp"

namespace contexten::integrations::github {

// The compact JWS "header.payload.signature" for app `app_id`, signed with `private_key_pem`
// (PKCS#1 or PKCS#8 RSA). A key that does not load is kInvalidInput (without the key).
core::Result<std::string> MakeAppJwt(const std::string& app_id, const std::string& private_key_pem,
                                     core::WallTime now);

// Checks an RS256 JWT's signature with `public_key_pem` and returns its claims. Does not judge
// iat/exp (callers compare with their clock). Used by the sandbox and tests.
core::Result<nlohmann::json> VerifyRs256Jwt(const std::string& jwt,
                                            const std::string& public_key_pem);

// RFC 4648 section 5 decoding, padding optional; bad characters -> kInvalidInput.
core::Result<std::string> Base64UrlDecode(std::string_view text);

// "2024-01-01T00:00:00Z" <-> time, the form GitHub uses for expires_at and created_at.
std::string FormatIso8601(core::WallTime time);
std::optional<core::WallTime> ParseIso8601(const std::string& text);

struct GitHubAppCredentials {
  std::string app_id;
  std::string private_key_pem;
  std::int64_t installation_id = 0;
};

class GitHubAppAuth {
 public:
  // `base_url` as for the REST client ("https://api.github.com").
  GitHubAppAuth(core::net::HttpClient& http, std::string base_url, std::string user_agent,
                GitHubAppCredentials credentials, core::Clock& clock);

  // A valid installation token, fetching a new one when none is cached or the cached one is
  // within 5 minutes of expiring.
  core::Result<std::string> InstallationToken();
  // Drops the cached token (e.g. after a 401).
  void Invalidate();
  // Number of token exchanges made (tests check caching).
  int exchanges() const;

 private:
  core::net::HttpClient& http_;
  const std::string base_url_;
  const std::string user_agent_;
  const GitHubAppCredentials credentials_;
  core::Clock& clock_;

  mutable std::mutex mu_;
  std::string token_;
  core::WallTime refresh_at_{};
  int exchanges_ = 0;
};

}  // namespace contexten::integrations::github
