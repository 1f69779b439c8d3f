#include "integrations/github/github_errors.hpp"

#include <gtest/gtest.h>

#include "integrations/github/github_rest_client.hpp"

namespace contexten::integrations::github {
namespace {

using core::ErrorKind;
using core::net::HttpResponse;

const core::WallTime kNow{std::chrono::seconds(1700000000)};

HttpResponse Answer(int status, std::string body = R"({"message":"nope"})") {
  return HttpResponse::Json(status, std::move(body));
}

TEST(GitHubErrorsTest, MapsStatusesToKinds) {
  const std::pair<int, ErrorKind> cases[] = {
      {401, ErrorKind::kUnauthorized}, {404, ErrorKind::kNotFound},
      {409, ErrorKind::kConflict},     {422, ErrorKind::kInvalidInput},
      {500, ErrorKind::kTransient},    {502, ErrorKind::kTransient},
      {503, ErrorKind::kTransient},    {504, ErrorKind::kTransient},
      {403, ErrorKind::kUnauthorized},
  };
  for (const auto& [status, kind] : cases) {
    const core::Error e = ErrorFromResponse("GET /x", Answer(status), kNow);
    EXPECT_EQ(e.kind, kind) << status;
    EXPECT_NE(e.message.find("HTTP " + std::to_string(status)), std::string::npos) << e.message;
    EXPECT_FALSE(e.retry_after.has_value()) << status;
  }
}

TEST(GitHubErrorsTest, ValidationFailureCarriesGitHubMessages) {
  const core::Error e = ErrorFromResponse(
      "POST /repos/o/r/issues",
      Answer(422, R"({"message":"Validation Failed","errors":[{"resource":"Issue",)"
                  R"("field":"title","code":"missing_field"},{"message":"labels are bad"}]})"),
      kNow);
  EXPECT_EQ(e.kind, ErrorKind::kInvalidInput);
  EXPECT_NE(e.message.find("POST /repos/o/r/issues"), std::string::npos);
  EXPECT_NE(e.message.find("Validation Failed"), std::string::npos);
  EXPECT_NE(e.message.find("Issue.title missing_field"), std::string::npos);
  EXPECT_NE(e.message.find("labels are bad"), std::string::npos);
}

TEST(GitHubErrorsTest, RetryAfterComesFirst) {
  HttpResponse r = Answer(429);
  r.headers.Set("retry-after", "7");
  r.headers.Set("x-ratelimit-remaining", "0");
  r.headers.Set("x-ratelimit-reset", "1700000100");
  const core::Error e = ErrorFromResponse("GET /x", r, kNow);
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(7));
}

TEST(GitHubErrorsTest, PrimaryLimitWaitsUntilReset) {
  HttpResponse r = Answer(403, R"({"message":"API rate limit exceeded for user ID 1."})");
  r.headers.Set("x-ratelimit-remaining", "0");
  r.headers.Set("x-ratelimit-reset", "1700000042");
  const core::Error e = ErrorFromResponse("GET /x", r, kNow);
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(42));

  r.headers.Set("x-ratelimit-reset", "1699999990");  // already past: still wait a moment
  EXPECT_EQ(ErrorFromResponse("GET /x", r, kNow).retry_after, std::chrono::seconds(1));
}

TEST(GitHubErrorsTest, SecondaryLimitWithoutHeadersWaitsAMinute) {
  const core::Error e = ErrorFromResponse(
      "GET /x",
      Answer(403, R"({"message":"You have exceeded a secondary rate limit. Please wait."})"), kNow);
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(60));
  EXPECT_EQ(ErrorFromResponse("GET /x", Answer(429), kNow).retry_after, std::chrono::seconds(60));
}

TEST(GitHubErrorsTest, ReadsRateLimitHeaders) {
  core::net::HttpHeaders h;
  EXPECT_FALSE(ReadRateLimit(h).has_value());
  h.Set("X-RateLimit-Limit", "5000");
  h.Set("x-ratelimit-remaining", "4999");
  h.Set("x-ratelimit-used", "1");
  h.Set("x-ratelimit-reset", "1700003600");
  h.Set("x-ratelimit-resource", "core");
  auto info = ReadRateLimit(h);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->limit, 5000);
  EXPECT_EQ(info->remaining, 4999);
  EXPECT_EQ(info->used, 1);
  EXPECT_EQ(info->reset_epoch_seconds, 1700003600);
  EXPECT_EQ(info->resource, "core");
}

TEST(GitHubErrorsTest, SurelyNotAppliedOnlyWhenGitHubDidNotProcess) {
  auto from = [](int status) { return ErrorFromResponse("POST /x", Answer(status), kNow); };
  EXPECT_TRUE(SurelyNotApplied(from(502)));
  EXPECT_TRUE(SurelyNotApplied(from(503)));
  EXPECT_FALSE(SurelyNotApplied(from(500)));
  EXPECT_FALSE(SurelyNotApplied(from(504)));
  EXPECT_TRUE(SurelyNotApplied(from(429)));
  EXPECT_TRUE(SurelyNotApplied(core::MakeError(ErrorKind::kTransient, "connection refused")));
  EXPECT_FALSE(SurelyNotApplied(core::MakeError(ErrorKind::kTransient, "connection reset")));
  EXPECT_FALSE(SurelyNotApplied(core::MakeError(ErrorKind::kTimeout, "timed out")));
  EXPECT_TRUE(SurelyNotApplied(core::MakeError(ErrorKind::kUnavailable, "circuit open")));
}

TEST(NextLinkTest, FindsRelNextAmongOthers) {
  EXPECT_EQ(NextLink(R"(<https://api.github.com/x?page=2>; rel="next", )"
                     R"(<https://api.github.com/x?page=5>; rel="last")"),
            "https://api.github.com/x?page=2");
  EXPECT_EQ(NextLink(R"(<https://api.github.com/x?page=1>; rel="prev", )"
                     R"(<https://api.github.com/x?page=3>; rel="next")"),
            "https://api.github.com/x?page=3");
  EXPECT_EQ(NextLink(R"(<https://api.github.com/x?page=1>; rel="first")"), "");
  EXPECT_EQ(NextLink(""), "");
}

TEST(IdempotencyMarkerTest, IsAnHtmlCommentNamingTheKey) {
  EXPECT_EQ(IdempotencyMarker(""), "");
  const std::string marker = IdempotencyMarker("run-7.step-2");
  EXPECT_EQ(marker.rfind("<!--", 0), 0u);
  EXPECT_NE(marker.find("run-7.step-2"), std::string::npos);
}

}  // namespace
}  // namespace contexten::integrations::github
