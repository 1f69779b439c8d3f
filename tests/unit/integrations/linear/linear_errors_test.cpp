#include "integrations/linear/linear_errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace contexten::integrations::linear {
namespace {

using core::ErrorKind;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr std::int64_t kNowMs = 1'700'000'000'000;

core::net::HttpResponse Response(int status, const Json& body) {
  return core::net::HttpResponse::Json(status, body.dump());
}

Json Errors(const std::string& message, const std::string& type, const std::string& code) {
  return {{"errors", {{{"message", message}, {"extensions", {{"type", type}, {"code", code}}}}}}};
}

core::Error Map(const core::net::HttpResponse& r) {
  return MapLinearError("IssueCreate", r, Json::parse(r.body, nullptr, false), kNowMs);
}

TEST(LinearErrorsTest, RateLimitedAsLinearSendsIt) {
  // Linear answers HTTP 400 with extensions.code RATELIMITED and the reset in epoch ms.
  auto r = Response(400, Errors("Rate limit exceeded", "ratelimited", "RATELIMITED"));
  r.headers.Set("X-RateLimit-Requests-Remaining", "0");
  r.headers.Set("X-RateLimit-Requests-Reset", std::to_string(kNowMs + 2500));
  const core::Error e = Map(r);
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  ASSERT_TRUE(e.retry_after.has_value());
  EXPECT_EQ(*e.retry_after, std::chrono::milliseconds(2500));
  EXPECT_THAT(e.message, HasSubstr("IssueCreate"));
}

TEST(LinearErrorsTest, RateLimitedByTypeOnlyOrBy429) {
  EXPECT_EQ(Map(Response(400, Errors("slow down", "ratelimited", ""))).kind,
            ErrorKind::kRateLimited);
  auto r = Response(429, Json::object());
  r.headers.Set("Retry-After", "7");
  const core::Error e = Map(r);
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e.retry_after, std::chrono::milliseconds(7000));
}

TEST(LinearErrorsTest, ComplexityBudgetResetUsedWhenThatBudgetIsSpent) {
  auto r = Response(400, Errors("Rate limit exceeded", "ratelimited", "RATELIMITED"));
  r.headers.Set("X-RateLimit-Requests-Remaining", "120");
  r.headers.Set("X-RateLimit-Requests-Reset", std::to_string(kNowMs + 1000));
  r.headers.Set("X-RateLimit-Complexity-Remaining", "0");
  r.headers.Set("X-RateLimit-Complexity-Reset", std::to_string(kNowMs + 9000));
  EXPECT_EQ(Map(r).retry_after, std::chrono::milliseconds(9000));
}

TEST(LinearErrorsTest, ResetInThePastMeansRetryNow) {
  auto r = Response(400, Errors("Rate limit exceeded", "ratelimited", "RATELIMITED"));
  r.headers.Set("X-RateLimit-Requests-Reset", std::to_string(kNowMs - 5000));
  EXPECT_EQ(Map(r).retry_after, std::chrono::milliseconds(0));
}

TEST(LinearErrorsTest, AuthenticationIsUnauthorized) {
  EXPECT_EQ(Map(Response(400, Errors("Authentication required, not authenticated",
                                     "authentication error", "AUTHENTICATION_ERROR")))
                .kind,
            ErrorKind::kUnauthorized);
  EXPECT_EQ(Map(Response(401, Json::object())).kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(Map(Response(200, Errors("no access", "forbidden", "FORBIDDEN"))).kind,
            ErrorKind::kUnauthorized);
}

TEST(LinearErrorsTest, InvalidInputAndValidation) {
  EXPECT_EQ(
      Map(Response(200, Errors("Argument Validation Error", "invalid input", "INVALID_INPUT")))
          .kind,
      ErrorKind::kInvalidInput);
  EXPECT_EQ(
      Map(Response(400, Errors("Cannot query field", "graphql error", "GRAPHQL_VALIDATION_FAILED")))
          .kind,
      ErrorKind::kInvalidInput);
  // A 4xx without a recognisable GraphQL error is still our request's fault.
  EXPECT_EQ(Map(Response(400, Json::object())).kind, ErrorKind::kInvalidInput);
}

TEST(LinearErrorsTest, NotFoundAndConflict) {
  EXPECT_EQ(
      Map(Response(200, Errors("Entity not found: Issue", "invalid input", "INVALID_INPUT"))).kind,
      ErrorKind::kNotFound);
  EXPECT_EQ(Map(Response(200, Errors("Entity already exists", "invalid input", "CONFLICT"))).kind,
            ErrorKind::kConflict);
}

TEST(LinearErrorsTest, ServerErrorsAreTransient) {
  EXPECT_EQ(Map(Response(500, Json::object())).kind, ErrorKind::kTransient);
  const core::net::HttpResponse r = core::net::HttpResponse::Text(503, "<html>bad gateway");
  const core::Error e = MapLinearError("Teams", r, Json::parse(r.body, nullptr, false), kNowMs);
  EXPECT_EQ(e.kind, ErrorKind::kTransient);
  EXPECT_THAT(e.message, HasSubstr("Teams"));
  EXPECT_THAT(e.message, HasSubstr("503"));
}

TEST(LinearErrorsTest, ReadsEveryBudgetHeader) {
  core::net::HttpHeaders h;
  h.Set("x-ratelimit-requests-limit", "5000");
  h.Set("X-RateLimit-Requests-Remaining", "4990");
  h.Set("X-RateLimit-Requests-Reset", "1700000003600");
  h.Set("X-Complexity", "42");
  h.Set("X-RateLimit-Complexity-Limit", "3000000");
  h.Set("X-RateLimit-Complexity-Remaining", "2999958");
  h.Set("X-RateLimit-Complexity-Reset", "1700000007200");
  const RateLimitInfo info = ParseRateLimitHeaders(h);
  EXPECT_EQ(info.requests_limit, 5000);
  EXPECT_EQ(info.requests_remaining, 4990);
  EXPECT_EQ(info.requests_reset_ms, 1700000003600);
  EXPECT_EQ(info.complexity, 42);
  EXPECT_EQ(info.complexity_limit, 3000000);
  EXPECT_EQ(info.complexity_remaining, 2999958);
  EXPECT_EQ(info.complexity_reset_ms, 1700000007200);
  EXPECT_FALSE(info.empty());
  EXPECT_TRUE(ParseRateLimitHeaders(core::net::HttpHeaders{}).empty());
}

TEST(LinearErrorsTest, MalformedHeaderIsIgnored) {
  core::net::HttpHeaders h;
  h.Set("X-RateLimit-Requests-Remaining", "12abc");
  EXPECT_FALSE(ParseRateLimitHeaders(h).requests_remaining.has_value());
}

}  // namespace
}  // namespace contexten::integrations::linear
