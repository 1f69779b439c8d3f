#include "sandbox/slack/slack_workspace.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace contexten::sandbox {
namespace {

using nlohmann::json;

class SlackWorkspaceTest : public ::testing::Test {
 protected:
  json Call(const std::string& method, const json& args) {
    auto answer = workspace_.Call(method, args);
    EXPECT_TRUE(answer) << method;
    return answer ? answer->body : json();
  }
  std::string Post(const json& args) {
    auto body = Call("chat.postMessage", args);
    EXPECT_TRUE(body.value("ok", false)) << body.dump();
    return body.value("ts", "");
  }

  core::FakeClock clock_;
  SlackWorkspace workspace_{clock_};
};

TEST_F(SlackWorkspaceTest, UnknownMethodIsNotHandled) {
  EXPECT_FALSE(workspace_.Call("files.upload", json::object()));
}

TEST_F(SlackWorkspaceTest, ThreadRepliesNeedATopLevelParentInTheChannel) {
  const auto parent = Post({{"channel", "C0GENERAL"}, {"text", "parent"}});
  const auto reply = Post({{"channel", "C0GENERAL"},
                           {"text", "reply"},
                           {"thread_ts", parent},
                           {"reply_broadcast", true}});
  EXPECT_EQ(workspace_.FindMessage("C0GENERAL", reply)->thread_ts, parent);
  EXPECT_TRUE(workspace_.FindMessage("C0GENERAL", reply)->reply_broadcast);
  for (const auto& bad : {json{{"channel", "C0RANDOM"}, {"text", "x"}, {"thread_ts", parent}},
                          json{{"channel", "C0GENERAL"}, {"text", "x"}, {"thread_ts", reply}},
                          json{{"channel", "C0GENERAL"}, {"text", "x"}, {"thread_ts", "1.2"}}}) {
    EXPECT_EQ(Call("chat.postMessage", bad)["error"], "thread_not_found") << bad.dump();
  }
}

TEST_F(SlackWorkspaceTest, InvalidBlocksNameTheFieldPointer) {
  json blocks = json::array(
      {{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", std::string(151, 'x')}}}}});
  auto body =
      Call("chat.postMessage", {{"channel", "C0GENERAL"}, {"text", "t"}, {"blocks", blocks}});
  EXPECT_EQ(body["error"], "invalid_blocks");
  const std::string first = body["response_metadata"]["messages"][0];
  EXPECT_TRUE(first.starts_with("[ERROR] ")) << first;
  EXPECT_NE(first.find("[json-pointer:/blocks/0/text/text]"), std::string::npos) << first;
  EXPECT_TRUE(workspace_.Messages().empty());
}

TEST_F(SlackWorkspaceTest, UpdateOnlyTheBotsOwnMessages) {
  const auto ts = Post({{"channel", "C0GENERAL"}, {"text", "v1"}});
  auto updated = Call("chat.update", {{"channel", "C0GENERAL"}, {"ts", ts}, {"text", "v2"}});
  EXPECT_TRUE(updated["ok"]) << updated.dump();
  EXPECT_EQ(workspace_.FindMessage("C0GENERAL", ts)->text, "v2");
  SandboxMessage user_message;
  user_message.channel = "C0GENERAL";
  user_message.user = "U0SANDBOXUSER";
  user_message.text = "mine";
  const auto theirs = workspace_.AddMessage(user_message).ts;
  EXPECT_EQ(Call("chat.update", {{"channel", "C0GENERAL"}, {"ts", theirs}, {"text", "x"}})["error"],
            "cant_update_message");
  EXPECT_EQ(Call("chat.update", {{"channel", "C0GENERAL"}, {"ts", "9.9"}, {"text", "x"}})["error"],
            "message_not_found");
}

TEST_F(SlackWorkspaceTest, ReactionsOncePerName) {
  const auto ts = Post({{"channel", "C0GENERAL"}, {"text", "hi"}});
  json args = {{"channel", "C0GENERAL"}, {"timestamp", ts}, {"name", "eyes"}};
  EXPECT_TRUE(Call("reactions.add", args)["ok"]);
  EXPECT_EQ(Call("reactions.add", args)["error"], "already_reacted");
  EXPECT_EQ(workspace_.FindMessage("C0GENERAL", ts)->reactions, std::vector<std::string>{"eyes"});
}

TEST_F(SlackWorkspaceTest, ResponseUrlAllowsFiveUsesWithinThirtyMinutes) {
  const auto id =
      workspace_.NewResponseUrl({"block_actions", "U0SANDBOXUSER", "C0GENERAL", "", ""});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(workspace_.Respond(id, {{"text", "n"}}).status, 200) << i;
  }
  auto sixth = workspace_.Respond(id, {{"text", "n"}});
  EXPECT_EQ(sixth.status, 404);
  EXPECT_EQ(sixth.body["error"], "used_url");
  const auto late =
      workspace_.NewResponseUrl({"block_actions", "U0SANDBOXUSER", "C0GENERAL", "", ""});
  clock_.Advance(std::chrono::minutes(31));
  auto expired = workspace_.Respond(late, {{"text", "n"}});
  EXPECT_EQ(expired.status, 404);
  EXPECT_EQ(expired.body["error"], "expired_url");
}

TEST_F(SlackWorkspaceTest, ResponseUrlRepliesEphemeralInChannelReplaceAndDelete) {
  const auto ts = Post({{"channel", "C0GENERAL"}, {"text", "card"}});
  const auto id =
      workspace_.NewResponseUrl({"block_actions", "U0SANDBOXUSER", "C0GENERAL", ts, ""});
  ASSERT_EQ(workspace_.Respond(id, {{"text", "only you"}}).status, 200);
  ASSERT_EQ(workspace_.Respond(id, {{"text", "everyone"}, {"response_type", "in_channel"}}).status,
            200);
  auto messages = workspace_.Messages("C0GENERAL");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_TRUE(messages[1].ephemeral);
  EXPECT_EQ(messages[1].visible_to, "U0SANDBOXUSER");
  EXPECT_FALSE(messages[2].ephemeral);
  ASSERT_EQ(workspace_.Respond(id, {{"text", "card v2"}, {"replace_original", true}}).status, 200);
  EXPECT_EQ(workspace_.FindMessage("C0GENERAL", ts)->text, "card v2");
  ASSERT_EQ(workspace_.Respond(id, {{"delete_original", true}}).status, 200);
  EXPECT_FALSE(workspace_.FindMessage("C0GENERAL", ts));
}

TEST_F(SlackWorkspaceTest, SeededUsersAndChannels) {
  auto user = Call("users.info", {{"user", "U0SANDBOXUSER"}});
  EXPECT_EQ(user["user"]["tz"], "Europe/Berlin");
  EXPECT_EQ(Call("users.info", {{"user", "U404"}})["error"], "user_not_found");
  auto channel = Call("conversations.info", {{"channel", "C0GENERAL"}});
  EXPECT_EQ(channel["channel"]["name"], "general");
  EXPECT_EQ(Call("conversations.info", {{"channel", "C404"}})["error"], "channel_not_found");
}

}  // namespace
}  // namespace contexten::sandbox
