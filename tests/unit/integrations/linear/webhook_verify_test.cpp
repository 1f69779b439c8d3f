#include "integrations/linear/webhook_verify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace contexten::integrations::linear {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNowMs = 1'700'000'000'000;

core::FakeClock ClockAtMs(int64_t ms) {
  return core::FakeClock(core::WallTime{std::chrono::milliseconds(ms)});
}

std::string BodyWithTimestamp(int64_t ms) {
  return R"({"action":"create","type":"Issue","webhookTimestamp":)" + std::to_string(ms) +
         R"(,"data":{"id":"x"}})";
}

TEST(LinearSignatureTest, MatchesOpensslHmac) {
  // Cross-checked with: printf '%s' '{"action":"create"}' | openssl dgst -sha256 -hmac secret
  const std::string body = R"({"action":"create"})";
  EXPECT_EQ(SignLinearPayload("secret", body),
            "c2202d8ee17fe3fff2e6073577d2d8a93eebbbc6430ae7ec4213815b65f49fab");
}

TEST(LinearSignatureTest, AcceptsOwnSignatureRejectsTampering) {
  const std::string body = BodyWithTimestamp(kNowMs);
  const std::string sig = SignLinearPayload("whsec", body);
  EXPECT_TRUE(VerifyLinearSignature("whsec", body, sig));
  auto tampered = VerifyLinearSignature("whsec", body + " ", sig);
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().kind, core::ErrorKind::kUnauthorized);
  EXPECT_THAT(tampered.error().message, HasSubstr("mismatch"));
  EXPECT_FALSE(VerifyLinearSignature("other", body, sig));
}

TEST(LinearSignatureTest, RejectsMissingAndNonHex) {
  auto missing = VerifyLinearSignature("whsec", "{}", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kUnauthorized);
  EXPECT_THAT(missing.error().message, HasSubstr("missing Linear-Signature"));
  auto bad = VerifyLinearSignature("whsec", "{}", "sha256=abcd");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("not hex"));
}

TEST(LinearTimestampTest, AcceptsWithinWindowBothDirections) {
  auto clock = ClockAtMs(kNowMs);
  EXPECT_TRUE(CheckLinearTimestamp(BodyWithTimestamp(kNowMs), clock));
  EXPECT_TRUE(CheckLinearTimestamp(BodyWithTimestamp(kNowMs - 60'000), clock));
  EXPECT_TRUE(CheckLinearTimestamp(BodyWithTimestamp(kNowMs + 60'000), clock));
}

TEST(LinearTimestampTest, RejectsStaleWithReadableReason) {
  auto clock = ClockAtMs(kNowMs);
  auto status = CheckLinearTimestamp(BodyWithTimestamp(kNowMs - 75'000), clock);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, core::ErrorKind::kUnauthorized);
  EXPECT_THAT(status.error().message,
              HasSubstr("webhookTimestamp is 75 s from now; window is 60 s"));
  EXPECT_FALSE(CheckLinearTimestamp(BodyWithTimestamp(kNowMs - 60'001), clock));
  EXPECT_FALSE(CheckLinearTimestamp(BodyWithTimestamp(kNowMs + 75'000), clock));
}

TEST(LinearTimestampTest, BecomesStaleAsClockAdvances) {
  auto clock = ClockAtMs(kNowMs);
  const std::string body = BodyWithTimestamp(kNowMs);
  ASSERT_TRUE(CheckLinearTimestamp(body, clock));
  clock.Advance(std::chrono::seconds(61));
  EXPECT_FALSE(CheckLinearTimestamp(body, clock));
}

TEST(LinearTimestampTest, HonoursCustomWindowAndFloatTimestamps) {
  auto clock = ClockAtMs(kNowMs);
  EXPECT_TRUE(
      CheckLinearTimestamp(BodyWithTimestamp(kNowMs - 75'000), clock, std::chrono::seconds(120)));
  const std::string float_body = R"({"webhookTimestamp":)" + std::to_string(kNowMs - 1000) + ".0}";
  EXPECT_TRUE(CheckLinearTimestamp(float_body, clock));
  EXPECT_TRUE(CheckLinearTimestampMs(kNowMs + 1, clock));
  EXPECT_FALSE(CheckLinearTimestampMs(INT64_MIN, clock));
  EXPECT_FALSE(CheckLinearTimestampMs(INT64_MAX, clock));
}

TEST(LinearTimestampTest, MissingOrMalformedIsInvalidInput) {
  auto clock = ClockAtMs(kNowMs);
  for (const char* body : {R"({"action":"create"})", R"({"webhookTimestamp":null})",
                           R"({"webhookTimestamp":"1700000000000"})", "[1,2]", "not json", ""}) {
    auto status = CheckLinearTimestamp(body, clock);
    ASSERT_FALSE(status) << body;
    EXPECT_EQ(status.error().kind, core::ErrorKind::kInvalidInput) << body;
  }
}

}  // namespace
}  // namespace contexten::integrations::linear
