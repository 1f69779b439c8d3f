#include "integrations/linear/linear_errors.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace contexten::integrations::linear {
namespace {

using core::ErrorKind;

std::optional<std::int64_t> IntHeader(const core::net::HttpHeaders& headers,
                                      std::string_view name) {
  auto value = headers.Get(name);
  if (!value) return std::nullopt;
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || ptr != value->data() + value->size()) return std::nullopt;
  return n;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string StringField(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The first error's message, for the Error text (Linear's messages carry no secrets).
std::string FirstMessage(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  auto errors = body.find("errors");
  if (errors == body.end() || !errors->is_array() || errors->empty()) return "";
  return StringField((*errors)[0], "message");
}

}  // namespace

bool RateLimitInfo::empty() const {
  return !requests_limit && !requests_remaining && !requests_reset_ms && !complexity &&
         !complexity_limit && !complexity_remaining && !complexity_reset_ms;
}

RateLimitInfo ParseRateLimitHeaders(const core::net::HttpHeaders& headers) {
  RateLimitInfo info;
  info.requests_limit = IntHeader(headers, "X-RateLimit-Requests-Limit");
  info.requests_remaining = IntHeader(headers, "X-RateLimit-Requests-Remaining");
  info.requests_reset_ms = IntHeader(headers, "X-RateLimit-Requests-Reset");
  info.complexity = IntHeader(headers, "X-Complexity");
  info.complexity_limit = IntHeader(headers, "X-RateLimit-Complexity-Limit");
  info.complexity_remaining = IntHeader(headers, "X-RateLimit-Complexity-Remaining");
  info.complexity_reset_ms = IntHeader(headers, "X-RateLimit-Complexity-Reset");
  return info;
}

std::optional<std::chrono::milliseconds> RetryAfterFromHeaders(
    const core::net::HttpHeaders& headers, std::int64_t now_ms) {
  if (auto seconds = IntHeader(headers, "Retry-After"); seconds && *seconds >= 0) {
    return std::chrono::seconds(*seconds);
  }
  const RateLimitInfo info = ParseRateLimitHeaders(headers);
  std::optional<std::int64_t> reset;
  if (info.complexity_remaining && *info.complexity_remaining <= 0 && info.complexity_reset_ms) {
    reset = info.complexity_reset_ms;
  }
  if (info.requests_reset_ms &&
      (!info.requests_remaining || *info.requests_remaining <= 0 || !reset)) {
    reset = reset ? std::max(*reset, *info.requests_reset_ms) : *info.requests_reset_ms;
  }
  if (!reset) return std::nullopt;
  return std::chrono::milliseconds(std::max<std::int64_t>(0, *reset - now_ms));
}

ErrorKind KindForGraphqlError(const nlohmann::json& error) {
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& ext =
      error.is_object() && error.contains("extensions") ? error["extensions"] : empty;
  const std::string type = Lower(StringField(ext, "type"));
  const std::string code = Lower(StringField(ext, "code"));
  const std::string message = Lower(StringField(error, "message"));
  if (type == "ratelimited" || code == "ratelimited") return ErrorKind::kRateLimited;
  if (type == "authentication error" || code == "authentication_error" ||
      code == "unauthenticated" || type == "forbidden" || code == "forbidden") {
    return ErrorKind::kUnauthorized;
  }
  if (code == "conflict" || message.find("already exists") != std::string::npos) {
    return ErrorKind::kConflict;
  }
  if (code == "entity_not_found" || code == "not_found" ||
      message.find("entity not found") != std::string::npos) {
    return ErrorKind::kNotFound;
  }
  if (type == "invalid input" || code == "invalid_input" || code == "input_error" ||
      code == "graphql_validation_failed" || code == "bad_user_input" ||
      code == "graphql_parse_failed" || type == "graphql error") {
    return ErrorKind::kInvalidInput;
  }
  if (type == "internal error" || code == "internal_server_error") return ErrorKind::kTransient;
  return ErrorKind::kInternal;
}

core::Error MapLinearError(std::string_view operation, const core::net::HttpResponse& response,
                           const nlohmann::json& body, std::int64_t now_ms) {
  const std::string what = "linear " + std::string(operation);
  const std::string detail = FirstMessage(body);
  const std::string suffix = detail.empty() ? "" : ": " + detail;
  const std::string status = "HTTP " + std::to_string(response.status);

  ErrorKind kind = ErrorKind::kInternal;
  if (body.is_object() && body.contains("errors") && body["errors"].is_array() &&
      !body["errors"].empty()) {
    kind = KindForGraphqlError(body["errors"][0]);
    // Any rate-limit error in the list means the request was refused as a whole.
    for (const auto& e : body["errors"]) {
      if (KindForGraphqlError(e) == ErrorKind::kRateLimited) kind = ErrorKind::kRateLimited;
    }
  }
  if (response.status == 429) kind = ErrorKind::kRateLimited;
  if (kind == ErrorKind::kRateLimited) {
    return core::MakeError(kind, what + ": rate limited (" + status + ")" + suffix,
                           RetryAfterFromHeaders(response.headers, now_ms));
  }
  if (response.status >= 500) {
    return core::MakeError(ErrorKind::kTransient, what + ": " + status + suffix);
  }
  if (response.status == 401 || response.status == 403) {
    return core::MakeError(ErrorKind::kUnauthorized, what + ": " + status + suffix);
  }
  if (kind == ErrorKind::kInternal && response.status >= 400) kind = ErrorKind::kInvalidInput;
  if (detail.empty() && response.status == 200) {
    return core::MakeError(ErrorKind::kInternal, what + ": unexpected response");
  }
  return core::MakeError(kind, what + ": " + status + suffix);
}

}  // namespace contexten::integrations::linear
