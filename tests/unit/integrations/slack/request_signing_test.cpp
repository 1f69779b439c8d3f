#include "integrations/slack/request_signing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/clock.hpp"

namespace contexten::integrations::slack {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Vector {
  std::string secret;
  std::string timestamp;
  std::string body;
  std::string signature;
};

Vector LoadFixture() {
  std::ifstream in(std::string(CONTEXTEN_SHARED_DIR) +
                   "/contracts/slack/fixtures/signing_test_vector__python-sdk.json");
  EXPECT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str());
  return {j["signing_secret"], j["X-Slack-Request-Timestamp"], j["body"], j["X-Slack-Signature"]};
}

core::WallTime At(int64_t unix_seconds) {
  return core::WallTime{std::chrono::seconds(unix_seconds)};
}

class RequestSigningTest : public ::testing::Test {
 protected:
  Vector v_ = LoadFixture();
  int64_t ts_ = std::stoll(v_.timestamp);
};

TEST_F(RequestSigningTest, AcceptsSlackFixtureAtItsTimestamp) {
  core::FakeClock clock(At(ts_));
  EXPECT_TRUE(VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body, clock));
}

TEST_F(RequestSigningTest, SignerReproducesFixtureSignature) {
  EXPECT_EQ(SignSlackRequest(v_.secret, ts_, v_.body), v_.signature);
}

TEST_F(RequestSigningTest, AcceptsUpperCaseHex) {
  core::FakeClock clock(At(ts_));
  std::string upper = "v0=";
  for (char c : v_.signature.substr(3)) upper.push_back(static_cast<char>(std::toupper(c)));
  EXPECT_TRUE(VerifySlackRequest(v_.secret, v_.timestamp, upper, v_.body, clock));
}

TEST_F(RequestSigningTest, AcceptsAtWindowEdgesAndRejectsJustOutside) {
  core::FakeClock late(At(ts_ + 300));
  EXPECT_TRUE(VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body, late));
  core::FakeClock early(At(ts_ - 300));
  EXPECT_TRUE(VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body, early));

  core::FakeClock stale(At(ts_ + 301));
  auto status = VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body, stale);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, core::ErrorKind::kUnauthorized);
  EXPECT_THAT(status.error().message, HasSubstr("301 s from now; window is 300 s"));

  core::FakeClock future(At(ts_ - 301));
  EXPECT_FALSE(VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body, future));
}

TEST_F(RequestSigningTest, StaleTimestampIsRejectedWhenClockMovesOn) {
  core::FakeClock clock(At(ts_));
  ASSERT_TRUE(VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body, clock));
  clock.Advance(std::chrono::minutes(6));
  EXPECT_FALSE(VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body, clock));
}

TEST_F(RequestSigningTest, RejectsTamperedBodyTimestampOrSecret) {
  core::FakeClock clock(At(ts_));
  auto body = VerifySlackRequest(v_.secret, v_.timestamp, v_.signature, v_.body + "x", clock);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, core::ErrorKind::kUnauthorized);
  EXPECT_THAT(body.error().message, HasSubstr("mismatch"));

  // A different (still fresh) timestamp changes the basestring.
  const std::string other_ts = std::to_string(ts_ + 1);
  EXPECT_FALSE(VerifySlackRequest(v_.secret, other_ts, v_.signature, v_.body, clock));
  EXPECT_FALSE(VerifySlackRequest("wrong-secret", v_.timestamp, v_.signature, v_.body, clock));
}

TEST_F(RequestSigningTest, RejectsMalformedHeaders) {
  core::FakeClock clock(At(ts_));
  struct Case {
    std::string timestamp, signature, reason;
  };
  const Case cases[] = {
      {"", v_.signature, "missing X-Slack-Request-Timestamp"},
      {"15314206l8", v_.signature, "not a Unix time"},
      {"-1531420618", v_.signature, "not a Unix time"},
      {v_.timestamp, "", "missing X-Slack-Signature"},
      {v_.timestamp, "v1=" + v_.signature.substr(3), "does not start with v0="},
      {v_.timestamp, v_.signature.substr(3), "does not start with v0="},
      {v_.timestamp, "v0=zz" + v_.signature.substr(5), "not hex"},
      {v_.timestamp, v_.signature.substr(0, v_.signature.size() - 2), "mismatch"},
  };
  for (const auto& c : cases) {
    auto status = VerifySlackRequest(v_.secret, c.timestamp, c.signature, v_.body, clock);
    ASSERT_FALSE(status) << c.reason;
    EXPECT_EQ(status.error().kind, core::ErrorKind::kUnauthorized) << c.reason;
    EXPECT_THAT(status.error().message, HasSubstr(c.reason));
  }
}

TEST_F(RequestSigningTest, ReasonNeverContainsSecretOrExpectedSignature) {
  core::FakeClock clock(At(ts_));
  const std::string wrong_sig = "v0=" + std::string(64, '0');
  auto status = VerifySlackRequest(v_.secret, v_.timestamp, wrong_sig, v_.body, clock);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message, Not(HasSubstr(v_.secret)));
  EXPECT_THAT(status.error().message, Not(HasSubstr(v_.signature.substr(3))));
}

}  // namespace
}  // namespace contexten::integrations::slack
