// Looking before re-posting on Slack: chat.postMessage with message metadata, found again by
// SlackWebClient::FindMessageByMetadata through conversations.history / conversations.replies
// of the sandbox Slack; and users.info's profile.email.

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "sandbox/slack/slack_sandbox.hpp"

namespace contexten {
namespace {

using integrations::slack::OutgoingMessage;
using integrations::slack::SlackWebClient;
using nlohmann::json;
using sandbox::SlackSandbox;
using sandbox::SlackSandboxOptions;

constexpr const char* kEventType = "contexten_effect";

json Metadata(const std::string& key, const std::string& event_type = kEventType) {
  return {{"event_type", event_type}, {"event_payload", {{"key", key}, {"attempt", 1}}}};
}

class SlackMessageMetadataTest : public ::testing::Test {
 protected:
  SlackMessageMetadataTest() {
    SlackSandboxOptions options;
    options.clock = &clock_;
    options.rate_limits.enabled = false;
    slack_ = std::make_unique<SlackSandbox>(sandbox_io_, options);
    auto started = slack_->Start();
    EXPECT_TRUE(started) << (started ? "" : started.error().Describe());
    client_ =
        std::make_unique<SlackWebClient>(http_, slack_->api_url(), slack_->options().bot_token);
  }
  ~SlackMessageMetadataTest() override { slack_->Stop(); }

  std::string Post(const std::string& text, std::optional<json> metadata,
                   const std::string& thread_ts = "", const std::string& channel = "C0GENERAL") {
    OutgoingMessage message;
    message.channel = channel;
    message.text = text;
    message.thread_ts = thread_ts;
    message.metadata = std::move(metadata);
    auto posted = client_->PostMessage(message);
    EXPECT_TRUE(posted) << posted.error().Describe();
    return posted ? posted->ts : "";
  }

  std::optional<std::string> Find(const std::string& key, std::optional<std::string> thread_ts = {},
                                  const std::string& event_type = kEventType) {
    auto found = client_->FindMessageByMetadata("C0GENERAL", event_type, "key", key, thread_ts);
    EXPECT_TRUE(found) << found.error().Describe();
    if (!found || !found->has_value()) return std::nullopt;
    EXPECT_EQ((*found)->channel, "C0GENERAL");
    return (*found)->ts;
  }

  core::FakeClock clock_;
  core::net::IoRuntime sandbox_io_;
  core::net::IoRuntime client_io_;
  core::net::HttpClient http_{client_io_};
  std::unique_ptr<SlackSandbox> slack_;
  std::unique_ptr<SlackWebClient> client_;
};

TEST_F(SlackMessageMetadataTest, PostedMetadataIsStoredAndFoundByItsKey) {
  Post("no metadata", std::nullopt);
  const std::string first = Post("first", Metadata("run-1/step-1"));
  const std::string second = Post("second", Metadata("run-1/step-2"));
  Post("other type", Metadata("run-1/step-3", "someone_else"));

  const auto stored = slack_->Messages("C0GENERAL");
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_TRUE(stored[0].metadata.is_null());
  EXPECT_EQ(stored[1].metadata, Metadata("run-1/step-1"));

  EXPECT_EQ(Find("run-1/step-1"), first);
  EXPECT_EQ(Find("run-1/step-2"), second);
  EXPECT_EQ(Find("run-1/step-9"), std::nullopt);
  EXPECT_EQ(Find("run-1/step-3"), std::nullopt) << "another event_type is not ours";
  EXPECT_TRUE(Find("run-1/step-3", std::nullopt, "someone_else").has_value());
}

TEST_F(SlackMessageMetadataTest, NewestMatchWinsInTheChannel) {
  Post("once", Metadata("dup"));
  const std::string newer = Post("twice", Metadata("dup"));
  EXPECT_EQ(Find("dup"), newer);
}

TEST_F(SlackMessageMetadataTest, ThreadRepliesAreFoundInTheirThreadOnly) {
  const std::string parent = Post("parent", Metadata("root"));
  Post("reply one", Metadata("reply-1"), parent);
  const std::string reply = Post("reply two", Metadata("reply-2"), parent);
  Post("reply three", std::nullopt, parent);

  EXPECT_EQ(Find("reply-2", parent), reply);
  EXPECT_EQ(Find("root", parent), parent) << "conversations.replies lists the parent too";
  EXPECT_EQ(Find("reply-2"), std::nullopt) << "a reply that was not broadcast is not in history";

  auto missing = client_->FindMessageByMetadata("C0GENERAL", kEventType, "key", "reply-2",
                                                std::string("1.000001"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound) << missing.error().Describe();
}

TEST_F(SlackMessageMetadataTest, SearchFollowsCursorsAndStopsAtTheLimit) {
  const std::string oldest = Post("oldest", Metadata("too-old"));
  std::string kept;
  for (int i = 0; i < integrations::slack::kMetadataSearchLimit; ++i) {
    const std::string ts = Post("filler " + std::to_string(i), Metadata("k" + std::to_string(i)));
    if (i == 0) kept = ts;
  }
  // k0 is the 200th newest message: on the second page of 100, still within the bound.
  EXPECT_EQ(Find("k0"), kept);
  EXPECT_EQ(Find("too-old"), std::nullopt) << "the 201st newest message is past the bound";
  EXPECT_FALSE(oldest.empty());
}

TEST_F(SlackMessageMetadataTest, HistoryHasSlacksShapeAndMetadataOnlyWhenAsked) {
  Post("a", Metadata("a"));
  Post("b", Metadata("b"));
  Post("c", std::nullopt);

  auto page =
      client_->CallForm("conversations.history", {{"channel", "C0GENERAL"}, {"limit", "2"}});
  ASSERT_TRUE(page) << page.error().Describe();
  ASSERT_EQ((*page)["messages"].size(), 2u);
  EXPECT_EQ((*page)["messages"][0]["text"], "c") << "newest first";
  EXPECT_FALSE((*page)["messages"][1].contains("metadata"));
  EXPECT_TRUE((*page)["has_more"].get<bool>());
  const std::string cursor = (*page)["response_metadata"]["next_cursor"];
  ASSERT_FALSE(cursor.empty());

  auto rest = client_->CallForm(
      "conversations.history",
      {{"channel", "C0GENERAL"}, {"cursor", cursor}, {"include_all_metadata", "true"}});
  ASSERT_TRUE(rest) << rest.error().Describe();
  ASSERT_EQ((*rest)["messages"].size(), 1u);
  EXPECT_EQ((*rest)["messages"][0]["metadata"], Metadata("a"));
  EXPECT_FALSE((*rest)["has_more"].get<bool>());
  EXPECT_EQ((*rest)["response_metadata"]["next_cursor"], "");

  auto unknown = client_->CallForm("conversations.history", {{"channel", "C0NOPE"}});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("channel_not_found"), std::string::npos);
}

TEST_F(SlackMessageMetadataTest, MalformedMetadataIsRefused) {
  OutgoingMessage message;
  message.channel = "C0GENERAL";
  message.text = "bad";
  message.metadata = json{{"event_type", "x"}};  // no event_payload
  auto posted = client_->PostMessage(message);
  ASSERT_FALSE(posted);
  EXPECT_NE(posted.error().message.find("invalid_metadata_schema"), std::string::npos);
  message.metadata = json("not an object");
  posted = client_->PostMessage(message);
  ASSERT_FALSE(posted);
  EXPECT_NE(posted.error().message.find("invalid_metadata_format"), std::string::npos);
  EXPECT_TRUE(slack_->Messages("C0GENERAL").empty());
}

TEST_F(SlackMessageMetadataTest, UserInfoCarriesTheProfileEmail) {
  auto you = client_->GetUserInfo("U0SANDBOXUSER");
  ASSERT_TRUE(you) << you.error().Describe();
  EXPECT_EQ(you->email, "sandbox.user@example.com");

  auto bot = client_->GetUserInfo(slack_->options().bot_user_id);
  ASSERT_TRUE(bot) << bot.error().Describe();
  EXPECT_TRUE(bot->is_bot);
  EXPECT_EQ(bot->email, "");

  slack_->SeedUser({"U0CAROL", "carol", "Carol Example", "Europe/Paris", "carol@example.com"});
  auto carol = client_->GetUserInfo("U0CAROL");
  ASSERT_TRUE(carol) << carol.error().Describe();
  EXPECT_EQ(carol->email, "carol@example.com");
  EXPECT_EQ(carol->real_name, "Carol Example");
  EXPECT_EQ(carol->tz, "Europe/Paris");

  slack_->SeedUser({"U0SANDBOXUSER", "you", "Sandbox User", "UTC", "renamed@example.com"});
  EXPECT_EQ(client_->GetUserInfo("U0SANDBOXUSER")->email, "renamed@example.com");
}

}  // namespace
}  // namespace contexten
