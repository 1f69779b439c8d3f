#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <vector>

#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/redactor.hpp"
#include "core/result.hpp"

namespace contexten::core {
namespace {

class LoggingRedactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Redactor::Global().ClearSecrets();
    InitLogging({"debug", format_}, [this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override { Redactor::Global().ClearSecrets(); }
  std::string All() {
    std::lock_guard lock(mu_);
    std::string all;
    for (auto& l : lines_) all += l + "\n";
    return all;
  }
  std::string format_ = "text";
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// Acceptance: a token present in configuration and in an error message never reaches a log.
TEST_F(LoggingRedactionTest, ConfiguredSecretsInErrorsAreMasked) {
  const Config config = LoadConfigFromString(
      "slack:\n  app_token: xapp-1-A111-222-abcdef\n  bot_token: xoxb-123-456-sekrit\n"
      "  signing_secret: 8f742231b10e8888abcd99yyyzzz85a5\n",
      [](const std::string&) { return std::nullopt; });
  for (const auto& s : config.Secrets()) Redactor::Global().AddSecret(s);

  const Error error =
      MakeError(ErrorKind::kUnauthorized, "auth failed for token " + config.slack.bot_token +
                                              " and secret " + config.slack.signing_secret);
  spdlog::error("slack call failed: {}", error.Describe());
  Logger("slack.socket")->warn("reconnecting with {}", config.slack.app_token);

  const std::string all = All();
  EXPECT_EQ(all.find("xoxb-123-456-sekrit"), std::string::npos) << all;
  EXPECT_EQ(all.find("8f742231b10e8888abcd99yyyzzz85a5"), std::string::npos) << all;
  EXPECT_EQ(all.find("xapp-1-A111-222-abcdef"), std::string::npos) << all;
  EXPECT_NE(all.find("[REDACTED]"), std::string::npos) << all;
  EXPECT_NE(all.find("slack call failed"), std::string::npos) << all;
}

TEST_F(LoggingRedactionTest, UnregisteredTokenShapesAreMasked) {
  spdlog::info("user pasted ghp_abcdefghijklmnopqrstuvwxyz0123456789 and lin_api_XyZ123456789");
  spdlog::info("header Authorization: Bearer abc.def-ghi_jkl");
  // Both lines were logged (an absent line would pass the "no token" checks below), each with
  // its text kept and only the token masked.
  const std::string all = All();
  EXPECT_NE(all.find("user pasted ghp_[REDACTED] and lin_api_[REDACTED]\n"), std::string::npos)
      << all;
  EXPECT_NE(all.find("header Authorization: Bearer [REDACTED]\n"), std::string::npos) << all;
  EXPECT_EQ(all.find("ghp_abcdefghij"), std::string::npos) << all;
  EXPECT_EQ(all.find("lin_api_XyZ"), std::string::npos) << all;
  EXPECT_EQ(all.find("abc.def-ghi_jkl"), std::string::npos) << all;
}

TEST(RedactorTest, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(RedactTokenShapes("Bearer of bad news; foxoxb-thing; ghp_ alone"),
            "Bearer of bad news; foxoxb-thing; ghp_ alone");
}

TEST(RedactorTest, LongerSecretWinsOverItsPrefix) {
  Redactor r;
  r.AddSecret("abcdefgh");
  r.AddSecret("abcdefghijkl");
  EXPECT_EQ(r.Redact("x abcdefghijkl y"), "x [REDACTED] y");
}

class JsonLoggingTest : public LoggingRedactionTest {
 protected:
  JsonLoggingTest() { format_ = "json"; }
};

TEST_F(JsonLoggingTest, LinesAreJsonAndRedacted) {
  spdlog::warn("token xoxb-999-888-zzz \"quoted\"");
  const std::string all = All();
  EXPECT_NE(all.find("\"level\":\"warning\""), std::string::npos) << all;
  EXPECT_NE(all.find("\\\"quoted\\\""), std::string::npos) << all;
  EXPECT_EQ(all.find("xoxb-999"), std::string::npos) << all;
}

TEST(LoggingTest, BadLevelOrFormatIsRefused) {
  EXPECT_THROW(InitLogging({"loud", "text"}), std::invalid_argument);
  EXPECT_THROW(InitLogging({"info", "xml"}), std::invalid_argument);
}

}  // namespace
}  // namespace contexten::core
