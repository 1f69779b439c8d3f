#include "integrations/github/webhook_verify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace contexten::integrations::github {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kDocsSecret = "It's a Secret to Everybody";
constexpr std::string_view kDocsBody = "Hello, World!";
constexpr std::string_view kDocsSignature =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(GitHubWebhookVerifyTest, AcceptsDocumentedVectors) {
  EXPECT_TRUE(VerifyGitHubSignature(kDocsSecret, kDocsBody, kDocsSignature));
  EXPECT_TRUE(VerifyGitHubSignature(
      "mysecret", R"({"foo":"bar"})",
      "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3"));
}

TEST(GitHubWebhookVerifyTest, SignerMatchesDocumentedVector) {
  EXPECT_EQ(SignGitHubPayload(kDocsSecret, kDocsBody), kDocsSignature);
}

TEST(GitHubWebhookVerifyTest, AcceptsUpperCaseHex) {
  EXPECT_TRUE(VerifyGitHubSignature(
      kDocsSecret, kDocsBody,
      "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17"));
}

TEST(GitHubWebhookVerifyTest, RejectsWithReasons) {
  const std::string hex(kDocsSignature.substr(7));
  struct Case {
    std::string body, header, reason;
  };
  const Case cases[] = {
      {std::string(kDocsBody), "", "missing X-Hub-Signature-256"},
      {std::string(kDocsBody), "sha1=" + hex, "does not start with sha256="},
      {std::string(kDocsBody), hex, "does not start with sha256="},
      {std::string(kDocsBody), "SHA256=" + hex, "does not start with sha256="},
      {std::string(kDocsBody), "sha256=" + hex.substr(1), "not hex"},
      {std::string(kDocsBody), "sha256=xy" + hex.substr(2), "not hex"},
      {std::string(kDocsBody), "sha256=" + hex.substr(2), "mismatch"},
      {std::string(kDocsBody), "sha256=", "mismatch"},
      {"Hello, World?", std::string(kDocsSignature), "mismatch"},
  };
  for (const auto& c : cases) {
    auto status = VerifyGitHubSignature(kDocsSecret, c.body, c.header);
    ASSERT_FALSE(status) << c.header;
    EXPECT_EQ(status.error().kind, core::ErrorKind::kUnauthorized);
    EXPECT_THAT(status.error().message, HasSubstr(c.reason)) << c.header;
    EXPECT_THAT(status.error().message, Not(HasSubstr(kDocsSecret)));
  }
}

TEST(GitHubWebhookVerifyTest, WrongSecretIsAMismatch) {
  auto status = VerifyGitHubSignature("not the secret", kDocsBody, kDocsSignature);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message, HasSubstr("mismatch"));
}

}  // namespace
}  // namespace contexten::integrations::github
