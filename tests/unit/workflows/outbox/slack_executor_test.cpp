// SlackExecutor over the recording Slack fake: each slack.* effect kind makes the right call
// with the right arguments and returns the result documented in effect_kinds.hpp; a post carries
// its idempotency key in message metadata and is looked up by it; bad arguments are
// kInvalidInput, never a throw.

#include "workflows/outbox/slack_executor.hpp"

#include <gtest/gtest.h>

#include "tests/support/fakes/recording_slack_api.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::workflows::outbox {
namespace {

using nlohmann::json;

store::EffectRecord Effect(const std::string& kind, const json& args) {
  store::EffectRecord effect;
  effect.id = 7;
  effect.run_id = "run-1";
  effect.step_id = "post-card";
  effect.lane = kSlackLane;
  effect.kind = kind;
  effect.args_json = args.dump();
  return effect;
}

class SlackExecutorTest : public ::testing::Test {
 protected:
  testing::RecordingSlackApi slack_;
  SlackExecutor executor_{slack_};
};

TEST_F(SlackExecutorTest, PostMessageSendsTheMessageWithTheKeyInMetadata) {
  const json blocks = json::array({{{"type", "section"}, {"text", "hi"}}});
  auto result = executor_.Execute(Effect(kSlackPostMessage, {{"channel", "C1"},
                                                             {"text", "Filed ENG-1"},
                                                             {"blocks", blocks},
                                                             {"thread_ts", "1.5"},
                                                             {"broadcast", true}}));
  ASSERT_TRUE(result) << result.error().Describe();
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].args["channel"], "C1");
  EXPECT_EQ(posts[0].args["text"], "Filed ENG-1");
  EXPECT_EQ(posts[0].args["blocks"], blocks);
  EXPECT_EQ(posts[0].args["thread_ts"], "1.5");
  EXPECT_EQ(posts[0].args["reply_broadcast"], true);
  EXPECT_EQ(posts[0].args["metadata"], (json{{"event_type", "contexten_effect"},
                                             {"event_payload", {{"key", "run-1/post-card"}}}}));
  EXPECT_EQ(*result, (json{{"channel", "C1"}, {"ts", "1700000000.1"}}));
}

TEST_F(SlackExecutorTest, PostMessageWithoutOptionalsSendsNoBlocksThreadOrBroadcast) {
  auto result = executor_.Execute(Effect(kSlackPostMessage, {{"channel", "C1"}, {"text", "x"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  auto post = slack_.CallsTo("chat.postMessage").at(0).args;
  EXPECT_TRUE(post["blocks"].is_null());
  EXPECT_EQ(post["thread_ts"], "");
  EXPECT_EQ(post["reply_broadcast"], false);
}

TEST_F(SlackExecutorTest, APlatformFailureIsReturnedAsIs) {
  slack_.post_ok = false;
  auto result = executor_.Execute(Effect(kSlackPostMessage, {{"channel", "C1"}, {"text", "x"}}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kUnavailable);
}

TEST_F(SlackExecutorTest, UpdateMessageReplacesTextAndBlocks) {
  const json blocks = json::array({{{"type", "divider"}}});
  auto result = executor_.Execute(
      Effect(kSlackUpdateMessage,
             {{"channel", "C1"}, {"ts", "1.5"}, {"text", "new"}, {"blocks", blocks}}));
  ASSERT_TRUE(result) << result.error().Describe();
  auto updates = slack_.CallsTo("chat.update");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].args,
            (json{{"channel", "C1"}, {"ts", "1.5"}, {"text", "new"}, {"blocks", blocks}}));
  EXPECT_EQ(*result, (json{{"channel", "C1"}, {"ts", "1.5"}}));
}

TEST_F(SlackExecutorTest, PostEphemeralGoesToTheUserAndReturnsItsTs) {
  auto result = executor_.Execute(
      Effect(kSlackPostEphemeral,
             {{"channel", "C1"}, {"user", "U7"}, {"text", "only you"}, {"thread_ts", "1.5"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  auto calls = slack_.CallsTo("chat.postEphemeral");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].args["channel"], "C1");
  EXPECT_EQ(calls[0].args["user"], "U7");
  EXPECT_EQ(calls[0].args["text"], "only you");
  EXPECT_EQ(calls[0].args["thread_ts"], "1.5");
  EXPECT_EQ(*result, (json{{"ts", "1700000000.9"}}));
}

TEST_F(SlackExecutorTest, UserInfoReturnsTheProfileFields) {
  integrations::slack::UserInfo info;
  info.name = "alice";
  info.real_name = "Alice Example";
  info.display_name = "ali";
  info.email = "alice@example.com";
  slack_.SetUserInfo(info);
  auto result = executor_.Execute(Effect(kSlackUserInfo, {{"user", "U7"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  ASSERT_EQ(slack_.CallsTo("users.info").size(), 1u);
  EXPECT_EQ(slack_.CallsTo("users.info")[0].args["user"], "U7");
  EXPECT_EQ(*result, (json{{"id", "U7"},
                           {"name", "alice"},
                           {"real_name", "Alice Example"},
                           {"display_name", "ali"},
                           {"email", "alice@example.com"}}));
}

TEST_F(SlackExecutorTest, MissingRequiredArgumentsAreInvalidInputAndCallNothing) {
  const std::pair<const char*, json> cases[] = {
      {kSlackPostMessage, {{"text", "no channel"}}},
      {kSlackPostMessage, {{"channel", ""}, {"text", "empty channel"}}},
      {kSlackPostMessage, {{"channel", 42}, {"text", "channel not a string"}}},
      {kSlackUpdateMessage, {{"channel", "C1"}, {"text", "no ts"}}},
      {kSlackUpdateMessage, {{"ts", "1.5"}, {"text", "no channel"}}},
      {kSlackPostEphemeral, {{"channel", "C1"}, {"text", "no user"}}},
      {kSlackPostEphemeral, {{"user", "U1"}, {"text", "no channel"}}},
      {kSlackUserInfo, json::object()},
  };
  for (const auto& [kind, args] : cases) {
    auto result = executor_.Execute(Effect(kind, args));
    ASSERT_FALSE(result) << kind << " " << args.dump();
    EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput) << kind << " " << args.dump();
  }
  EXPECT_TRUE(slack_.calls().empty());
}

TEST_F(SlackExecutorTest, ArgumentsThatAreNotAJsonObjectAreInvalidInput) {
  for (const char* text : {"", "not json", "[1,2]", "\"text\"", "{\"channel\":"}) {
    auto effect = Effect(kSlackPostMessage, json::object());
    effect.args_json = text;
    auto result = executor_.Execute(effect);
    ASSERT_FALSE(result) << text;
    EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput) << text;
    auto looked = executor_.Lookup(effect);
    ASSERT_FALSE(looked) << text;
    EXPECT_EQ(looked.error().kind, core::ErrorKind::kInvalidInput) << text;
  }
  EXPECT_TRUE(slack_.calls().empty());
}

TEST_F(SlackExecutorTest, OptionalArgumentsOfTheWrongTypeAreInvalidInputNotAThrow) {
  // A malformed row must not throw out of the relay's lane thread (nlohmann's value() throws
  // type_error when the key holds another type).
  auto result = executor_.Execute(
      Effect(kSlackPostMessage, {{"channel", "C1"}, {"text", "x"}, {"broadcast", "yes"}}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_TRUE(slack_.calls().empty());
}

TEST_F(SlackExecutorTest, AnUnknownKindIsInvalidInput) {
  auto result = executor_.Execute(Effect("slack.launch_rocket", {{"channel", "C1"}}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_NE(result.error().message.find("slack.launch_rocket"), std::string::npos);
  EXPECT_TRUE(slack_.calls().empty());
}

TEST_F(SlackExecutorTest, LookupOfAPostFindsItByTheIdempotencyKey) {
  slack_.SetFoundMessage(integrations::slack::PostedMessage{"C1", "1700000000.4"});
  auto found = executor_.Lookup(Effect(kSlackPostMessage, {{"channel", "C1"}, {"text", "x"}}));
  ASSERT_TRUE(found) << found.error().Describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, (json{{"channel", "C1"}, {"ts", "1700000000.4"}}));
  auto searches = slack_.CallsTo("conversations.history");
  ASSERT_EQ(searches.size(), 1u);
  EXPECT_EQ(searches[0].args["channel"], "C1");
  EXPECT_EQ(searches[0].args["event_type"], "contexten_effect");
  EXPECT_EQ(searches[0].args["key_field"], "key");
  EXPECT_EQ(searches[0].args["key_value"], "run-1/post-card");
  EXPECT_TRUE(slack_.CallsTo("chat.postMessage").empty());  // looking never posts
}

TEST_F(SlackExecutorTest, LookupOfAThreadReplySearchesThatThread) {
  auto found = executor_.Lookup(
      Effect(kSlackPostMessage, {{"channel", "C1"}, {"text", "x"}, {"thread_ts", "1.5"}}));
  ASSERT_TRUE(found) << found.error().Describe();
  EXPECT_FALSE(found->has_value());
  auto searches = slack_.CallsTo("conversations.replies");
  ASSERT_EQ(searches.size(), 1u);
  EXPECT_EQ(searches[0].args["thread_ts"], "1.5");
  EXPECT_EQ(searches[0].args["key_value"], "run-1/post-card");
}

TEST_F(SlackExecutorTest, LookupOfAPostThatDidNotLandIsNullopt) {
  auto found = executor_.Lookup(Effect(kSlackPostMessage, {{"channel", "C1"}, {"text", "x"}}));
  ASSERT_TRUE(found) << found.error().Describe();
  EXPECT_FALSE(found->has_value());
}

TEST_F(SlackExecutorTest, LookupOfAPostWithoutChannelIsInvalidInput) {
  auto found = executor_.Lookup(Effect(kSlackPostMessage, {{"text", "x"}}));
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().kind, core::ErrorKind::kInvalidInput);
}

TEST_F(SlackExecutorTest, UpdatesEphemeralsAndReadsLookUpToNulloptWithoutCalls) {
  // Even with a message "found", these kinds are safe to repeat: nothing is searched.
  slack_.SetFoundMessage(integrations::slack::PostedMessage{"C1", "1.5"});
  const std::pair<const char*, json> cases[] = {
      {kSlackUpdateMessage, {{"channel", "C1"}, {"ts", "1.5"}, {"text", "x"}}},
      {kSlackPostEphemeral, {{"channel", "C1"}, {"user", "U1"}, {"text", "x"}}},
      {kSlackUserInfo, {{"user", "U1"}}},
  };
  for (const auto& [kind, args] : cases) {
    auto found = executor_.Lookup(Effect(kind, args));
    ASSERT_TRUE(found) << kind;
    EXPECT_FALSE(found->has_value()) << kind;
  }
  EXPECT_TRUE(slack_.calls().empty());
}

}  // namespace
}  // namespace contexten::workflows::outbox
