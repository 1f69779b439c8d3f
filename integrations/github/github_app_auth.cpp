#include "integrations/github/github_app_auth.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <ctime>
#include <memory>

#include "core/crypto.hpp"
#include "integrations/github/github_errors.hpp"

namespace contexten::integrations::github {
namespace {

using core::ErrorKind;
using core::MakeError;
using core::Unexpected;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

PkeyPtr LoadKey(const std::string& pem, bool is_private) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  EVP_PKEY* key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  return PkeyPtr(key);
}

std::int64_t EpochSeconds(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

core::Result<std::string> Base64UrlDecode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) {
    return Unexpected(MakeError(ErrorKind::kInvalidInput, "base64url: bad length"));
  }
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return Unexpected(MakeError(ErrorKind::kInvalidInput, "base64url: bad character"));
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string FormatIso8601(core::WallTime time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::optional<core::WallTime> ParseIso8601(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

core::Result<std::string> MakeAppJwt(const std::string& app_id, const std::string& private_key_pem,
                                     core::WallTime now) {
  PkeyPtr key = LoadKey(private_key_pem, true);
  if (!key) {
    return Unexpected(MakeError(ErrorKind::kInvalidInput,
                                "GitHub App private key is not a readable PEM private key"));
  }
  const std::int64_t iat = EpochSeconds(now) - 60;
  const nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  const nlohmann::json claims = {{"iat", iat}, {"exp", iat + 60 + 9 * 60}, {"iss", app_id}};
  const std::string signing_input =
      core::Base64UrlEncode(header.dump()) + "." + core::Base64UrlEncode(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return Unexpected(MakeError(ErrorKind::kInternal, "cannot sign the GitHub App JWT"));
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return Unexpected(MakeError(ErrorKind::kInternal, "cannot sign the GitHub App JWT"));
  }
  signature.resize(length);
  return signing_input + "." + core::Base64UrlEncode(signature);
}

core::Result<nlohmann::json> VerifyRs256Jwt(const std::string& jwt,
                                            const std::string& public_key_pem) {
  auto invalid = [](std::string why) {
    return Unexpected(MakeError(ErrorKind::kUnauthorized, "JWT rejected: " + std::move(why)));
  };
  const auto first = jwt.find('.');
  const auto second = first == std::string::npos ? first : jwt.find('.', first + 1);
  if (second == std::string::npos || jwt.find('.', second + 1) != std::string::npos) {
    return invalid("not three segments");
  }
  auto header_raw = Base64UrlDecode(std::string_view(jwt).substr(0, first));
  auto claims_raw = Base64UrlDecode(std::string_view(jwt).substr(first + 1, second - first - 1));
  auto signature = Base64UrlDecode(std::string_view(jwt).substr(second + 1));
  if (!header_raw || !claims_raw || !signature) return invalid("bad base64url");
  auto header = nlohmann::json::parse(*header_raw, nullptr, false);
  auto claims = nlohmann::json::parse(*claims_raw, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return invalid("segments are not JSON objects");
  if (header.value("alg", std::string()) != "RS256") return invalid("alg is not RS256");

  PkeyPtr key = LoadKey(public_key_pem, false);
  if (!key) return Unexpected(MakeError(ErrorKind::kInvalidInput, "unreadable public key"));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const std::string signing_input = jwt.substr(0, second);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
    return invalid("bad signature");
  }
  return claims;
}

GitHubAppAuth::GitHubAppAuth(core::net::HttpClient& http, std::string base_url,
                             std::string user_agent, GitHubAppCredentials credentials,
                             core::Clock& clock)
    : http_(http),
      base_url_(std::move(base_url)),
      user_agent_(std::move(user_agent)),
      credentials_(std::move(credentials)),
      clock_(clock) {}

core::Result<std::string> GitHubAppAuth::InstallationToken() {
  // Held across the exchange so concurrent callers wait for one refresh instead of each
  // minting a token.
  std::lock_guard lock(mu_);
  const core::WallTime now = clock_.WallNow();
  if (!token_.empty() && now < refresh_at_) return token_;

  auto jwt = MakeAppJwt(credentials_.app_id, credentials_.private_key_pem, now);
  if (!jwt) return Unexpected(jwt.error());
  const std::string path =
      "/app/installations/" + std::to_string(credentials_.installation_id) + "/access_tokens";
  core::net::OutgoingRequest request;
  request.method = "POST";
  request.url = base_url_ + path;
  request.headers.Set("Accept", "application/vnd.github+json");
  request.headers.Set("X-GitHub-Api-Version", "2022-11-28");
  request.headers.Set("User-Agent", user_agent_);
  request.headers.Set("Authorization", "Bearer " + *jwt);
  ++exchanges_;
  auto response = http_.Send(std::move(request));
  const std::string what = "POST " + path;
  if (!response) {
    return Unexpected(MakeError(response.error().kind, what + ": " + response.error().message,
                                response.error().retry_after));
  }
  if (response->status != 201 && response->status != 200) {
    return Unexpected(ErrorFromResponse(what, *response, now));
  }
  auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string()) {
    return Unexpected(MakeError(ErrorKind::kInternal, what + ": no token in the answer"));
  }
  token_ = body["token"].get<std::string>();
  auto expires = ParseIso8601(body.value("expires_at", std::string()));
  // Without a readable expiry assume GitHub's one hour.
  const core::WallTime expires_at = expires ? *expires : now + std::chrono::hours(1);
  refresh_at_ = expires_at - std::chrono::minutes(5);
  return token_;
}

void GitHubAppAuth::Invalidate() {
  std::lock_guard lock(mu_);
  token_.clear();
}

int GitHubAppAuth::exchanges() const {
  std::lock_guard lock(mu_);
  return exchanges_;
}

}  // namespace contexten::integrations::github
