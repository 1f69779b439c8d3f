#include "integrations/github/github_errors.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

namespace contexten::integrations::github {
namespace {

using core::ErrorKind;

std::optional<std::int64_t> HeaderInt(const core::net::HttpHeaders& headers,
                                      std::string_view name) {
  auto value = headers.Get(name);
  if (!value) return std::nullopt;
  std::string_view text = *value;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// GitHub's {"message", "errors": [{"message"} | {"resource","field","code"} | "text"]}.
std::string DescribeBody(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return body.substr(0, 200);
  }
  std::string out = json.value("message", std::string());
  if (auto it = json.find("errors"); it != json.end() && it->is_array()) {
    for (const auto& e : *it) {
      std::string part;
      if (e.is_string()) {
        part = e.get<std::string>();
      } else if (e.is_object()) {
        part = e.value("message", std::string());
        if (part.empty()) {
          part = e.value("resource", std::string()) + "." + e.value("field", std::string()) + " " +
                 e.value("code", std::string());
        }
      }
      if (!part.empty()) out += ": " + part;
    }
  }
  return out;
}

}  // namespace

std::optional<RateLimitInfo> ReadRateLimit(const core::net::HttpHeaders& headers) {
  RateLimitInfo info;
  bool any = false;
  if (auto v = HeaderInt(headers, "x-ratelimit-limit")) info.limit = *v, any = true;
  if (auto v = HeaderInt(headers, "x-ratelimit-remaining")) info.remaining = *v, any = true;
  if (auto v = HeaderInt(headers, "x-ratelimit-used")) info.used = *v, any = true;
  if (auto v = HeaderInt(headers, "x-ratelimit-reset")) info.reset_epoch_seconds = *v, any = true;
  if (auto v = headers.Get("x-ratelimit-resource")) info.resource = std::string(*v), any = true;
  if (!any) return std::nullopt;
  return info;
}

core::Error ErrorFromResponse(std::string_view what, const core::net::HttpResponse& response,
                              core::WallTime now) {
  const int status = response.status;
  const std::string detail = DescribeBody(response.body);
  std::string message = std::string(what) + ": HTTP " + std::to_string(status);
  if (!detail.empty()) message += ": " + detail;

  if (status == 403 || status == 429) {
    const auto& headers = response.headers;
    if (auto seconds = HeaderInt(headers, "retry-after")) {
      return core::MakeError(ErrorKind::kRateLimited, message,
                             std::chrono::seconds(std::max<std::int64_t>(*seconds, 0)));
    }
    if (auto remaining = HeaderInt(headers, "x-ratelimit-remaining");
        remaining && *remaining == 0) {
      const std::int64_t now_s =
          std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
      std::int64_t wait_s = 60;
      if (auto reset = HeaderInt(headers, "x-ratelimit-reset")) wait_s = *reset - now_s;
      return core::MakeError(ErrorKind::kRateLimited, message,
                             std::chrono::seconds(std::max<std::int64_t>(wait_s, 1)));
    }
    const std::string lower = Lower(detail);
    if (status == 429 || lower.find("secondary rate limit") != std::string::npos ||
        lower.find("abuse") != std::string::npos) {
      return core::MakeError(ErrorKind::kRateLimited, message, std::chrono::seconds(60));
    }
    return core::MakeError(ErrorKind::kUnauthorized, message);
  }
  switch (status) {
    case 401:
      return core::MakeError(ErrorKind::kUnauthorized, message);
    case 404:
    case 410:
      return core::MakeError(ErrorKind::kNotFound, message);
    case 409:
      return core::MakeError(ErrorKind::kConflict, message);
    case 413:
      return core::MakeError(ErrorKind::kTooLarge, message);
    case 400:
    case 422:
      return core::MakeError(ErrorKind::kInvalidInput, message);
    default:
      break;
  }
  if (status >= 500) return core::MakeError(ErrorKind::kTransient, message);
  return core::MakeError(ErrorKind::kInternal, message);
}

}  // namespace contexten::integrations::github
