// Every Slack Web API method the bot uses, through the real SlackWebClient over HTTP against the
// sandbox Slack: Slack's error codes, thread rules, Block Kit refusals that name the field,
// trigger_id expiry and reuse, the view stack limit, response_url use limits and 429s.

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using integrations::slack::EphemeralMessage;
using integrations::slack::MessageUpdate;
using integrations::slack::OutgoingMessage;
using integrations::slack::SlackWebClient;
using nlohmann::json;
using sandbox::SlackSandbox;
using sandbox::SlackSandboxOptions;

json Text(const std::string& t) { return {{"type", "plain_text"}, {"text", t}}; }

json Modal(const std::string& callback_id, const std::string& title = "Create issue") {
  return {
      {"type", "modal"},
      {"callback_id", callback_id},
      {"title", Text(title)},
      {"submit", Text("Create")},
      {"blocks",
       json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "Hello"}}}}})}};
}

class SlackWebApiTest : public ::testing::Test {
 protected:
  explicit SlackWebApiTest(bool rate_limits = false,
                           std::chrono::milliseconds latency = std::chrono::milliseconds(0)) {
    SlackSandboxOptions options;
    options.clock = &clock_;
    options.rate_limits.enabled = rate_limits;
    options.web_api_latency = latency;
    slack_ = std::make_unique<SlackSandbox>(sandbox_io_, options);
    auto started = slack_->Start();
    EXPECT_TRUE(started) << (started ? "" : started.error().Describe());
    client_ =
        std::make_unique<SlackWebClient>(http_, slack_->api_url(), slack_->options().bot_token);
  }
  ~SlackWebApiTest() override { slack_->Stop(); }

  std::string Post(const std::string& text, const std::string& channel = "C0GENERAL") {
    auto posted = client_->PostMessage(OutgoingMessage{channel, text, json(), "", false});
    EXPECT_TRUE(posted) << posted.error().Describe();
    return posted ? posted->ts : "";
  }

  core::FakeClock clock_;
  core::net::IoRuntime sandbox_io_;
  core::net::IoRuntime client_io_;
  core::net::HttpClient http_{client_io_};
  std::unique_ptr<SlackSandbox> slack_;
  std::unique_ptr<SlackWebClient> client_;
};

TEST_F(SlackWebApiTest, WrongTokenIsInvalidAuth) {
  SlackWebClient stranger(http_, slack_->api_url(), "xoxb-not-the-token");
  auto auth = stranger.AuthTest();
  ASSERT_FALSE(auth);
  EXPECT_EQ(auth.error().kind, core::ErrorKind::kUnauthorized);
  auto posted = stranger.PostMessage(OutgoingMessage{"C0GENERAL", "hi", json(), "", false});
  ASSERT_FALSE(posted);
  EXPECT_NE(posted.error().message.find("invalid_auth"), std::string::npos);
  EXPECT_TRUE(slack_->Messages().empty());
  EXPECT_TRUE(client_->AuthTest());

  SlackWebClient app_token(http_, slack_->api_url(), slack_->options().app_token);
  auto wrong_type = app_token.PostMessage(OutgoingMessage{"C0GENERAL", "hi", json(), "", false});
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message.find("not_allowed_token_type"), std::string::npos);
}

TEST_F(SlackWebApiTest, ThreadRepliesAndBroadcasts) {
  const auto parent = Post("parent");
  auto reply = client_->PostMessage(OutgoingMessage{"C0GENERAL", "reply", json(), parent, true});
  ASSERT_TRUE(reply) << reply.error().Describe();
  auto messages = slack_->Messages("C0GENERAL");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].thread_ts, parent);
  EXPECT_TRUE(messages[1].reply_broadcast);

  auto orphan = client_->PostMessage(OutgoingMessage{"C0GENERAL", "x", json(), "1.000001", false});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().kind, core::ErrorKind::kNotFound);
  EXPECT_NE(orphan.error().message.find("thread_not_found"), std::string::npos);
  auto elsewhere = client_->PostMessage(OutgoingMessage{"C0RANDOM", "x", json(), parent, false});
  ASSERT_FALSE(elsewhere);
  EXPECT_NE(elsewhere.error().message.find("thread_not_found"), std::string::npos);
}

TEST_F(SlackWebApiTest, InvalidBlocksErrorNamesTheField) {
  json blocks = json::array(
      {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", std::string(3001, 'a')}}}}});
  auto posted = client_->PostMessage(OutgoingMessage{"C0GENERAL", "fallback", blocks, "", false});
  ASSERT_FALSE(posted);
  EXPECT_EQ(posted.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_NE(posted.error().message.find("invalid_blocks"), std::string::npos);
  EXPECT_NE(posted.error().message.find("[json-pointer:/blocks/0/text/text]"), std::string::npos)
      << posted.error().message;
  EXPECT_TRUE(slack_->Messages().empty());

  json modal = Modal("cb", "A title far longer than twenty-four characters");
  auto view = client_->OpenView(slack_->IssueTriggerId(), modal);
  ASSERT_FALSE(view);
  EXPECT_NE(view.error().message.find("[json-pointer:/view/title/text]"), std::string::npos)
      << view.error().message;
}

TEST_F(SlackWebApiTest, UpdateOnlyTheBotsMessages) {
  const auto ts = Post("v1");
  auto updated = client_->UpdateMessage(MessageUpdate{"C0GENERAL", ts, "v2", json()});
  ASSERT_TRUE(updated) << updated.error().Describe();
  EXPECT_EQ(slack_->Messages("C0GENERAL").at(0).text, "v2");

  slack_->InjectMessage("a user's words");
  const auto theirs = slack_->Messages("C0GENERAL").back().ts;
  auto refused = client_->UpdateMessage(MessageUpdate{"C0GENERAL", theirs, "edited", json()});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("cant_update_message"), std::string::npos);
  auto missing = client_->UpdateMessage(MessageUpdate{"C0GENERAL", "1.000009", "x", json()});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

TEST_F(SlackWebApiTest, EphemeralDeleteAndPermalink) {
  auto ephemeral =
      client_->PostEphemeral(EphemeralMessage{"C0GENERAL", "U0ALICE", "psst", json(), ""});
  ASSERT_TRUE(ephemeral) << ephemeral.error().Describe();
  EXPECT_FALSE(ephemeral->empty());
  auto messages = slack_->Messages("C0GENERAL");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].ephemeral);
  EXPECT_EQ(messages[0].visible_to, "U0ALICE");
  EXPECT_EQ(messages[0].ts, *ephemeral);

  const auto ts = Post("to link");
  auto link = client_->GetPermalink("C0GENERAL", ts);
  ASSERT_TRUE(link) << link.error().Describe();
  std::string digits = ts;
  digits.erase(digits.find('.'), 1);
  EXPECT_EQ(*link, "https://sandbox.slack/archives/C0GENERAL/p" + digits);

  ASSERT_TRUE(client_->DeleteMessage("C0GENERAL", ts));
  EXPECT_EQ(slack_->Messages("C0GENERAL").size(), 1u);
  auto again = client_->DeleteMessage("C0GENERAL", ts);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("message_not_found"), std::string::npos);
  EXPECT_FALSE(client_->GetPermalink("C0GENERAL", ts));
}

TEST_F(SlackWebApiTest, TriggerIdIsSingleUseAndExpiresAfterThreeSeconds) {
  const auto trigger = slack_->IssueTriggerId();
  auto view = client_->OpenView(trigger, Modal("first"));
  ASSERT_TRUE(view) << view.error().Describe();
  EXPECT_EQ(view->callback_id, "first");
  EXPECT_FALSE(view->id.empty());
  EXPECT_FALSE(view->hash.empty());
  EXPECT_EQ(view->root_view_id, view->id);

  auto reused = client_->OpenView(trigger, Modal("again"));
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().kind, core::ErrorKind::kConflict);
  EXPECT_NE(reused.error().message.find("exchanged_trigger_id"), std::string::npos);

  const auto stale = slack_->IssueTriggerId();
  clock_.Advance(std::chrono::milliseconds(3100));
  auto expired = client_->OpenView(stale, Modal("late"));
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expired_trigger_id"), std::string::npos);

  auto unknown = client_->OpenView("123.456.abc", Modal("x"));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("invalid_trigger_id"), std::string::npos);
  EXPECT_EQ(slack_->OpenViews("U0SANDBOXUSER").size(), 1u);
}

TEST_F(SlackWebApiTest, ViewStackHoldsThree) {
  ASSERT_TRUE(client_->OpenView(slack_->IssueTriggerId(), Modal("one")));
  ASSERT_TRUE(client_->PushView(slack_->IssueTriggerId(), Modal("two")));
  auto third = client_->PushView(slack_->IssueTriggerId(), Modal("three"));
  ASSERT_TRUE(third) << third.error().Describe();
  auto fourth = client_->PushView(slack_->IssueTriggerId(), Modal("four"));
  ASSERT_FALSE(fourth);
  EXPECT_NE(fourth.error().message.find("push_limit_reached"), std::string::npos);
  const auto views = slack_->OpenViews("U0SANDBOXUSER");
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(views[2].callback_id, "three");
  EXPECT_EQ(views[2].depth, 3);
}

TEST_F(SlackWebApiTest, UpdateViewRefusesAStaleHash) {
  auto view = client_->OpenView(slack_->IssueTriggerId(), Modal("cb", "Step 1"));
  ASSERT_TRUE(view);
  auto updated = client_->UpdateView(view->id, Modal("cb", "Step 2"), view->hash);
  ASSERT_TRUE(updated) << updated.error().Describe();
  EXPECT_NE(updated->hash, view->hash);
  auto stale = client_->UpdateView(view->id, Modal("cb", "Step 3"), view->hash);
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().message.find("hash_conflict"), std::string::npos);
  EXPECT_EQ(slack_->OpenViews().at(0).view["title"]["text"], "Step 2");
  EXPECT_TRUE(client_->UpdateView(view->id, Modal("cb", "Step 4")));
  // Slack's not_found for a view that is gone (closed, submitted) is kNotFound, so callers can
  // tell it from a bad request (bot/handlers/new_issue.cpp's late views.update relies on it).
  auto gone = client_->UpdateView("V0NOPE", Modal("cb"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, core::ErrorKind::kNotFound) << gone.error().Describe();
}

TEST_F(SlackWebApiTest, ReactionsUsersAndConversations) {
  const auto ts = Post("react to me");
  ASSERT_TRUE(client_->AddReaction("C0GENERAL", ts, "eyes"));
  ASSERT_TRUE(client_->AddReaction("C0GENERAL", ts, "eyes"));  // already_reacted is fine
  auto raw = client_->Call("reactions.add",
                           {{"channel", "C0GENERAL"}, {"timestamp", ts}, {"name", "eyes"}});
  ASSERT_FALSE(raw);
  EXPECT_NE(raw.error().message.find("already_reacted"), std::string::npos);
  EXPECT_EQ(slack_->Messages("C0GENERAL").at(0).reactions, std::vector<std::string>{"eyes"});

  auto user = client_->GetUserInfo("U0SANDBOXUSER");
  ASSERT_TRUE(user) << user.error().Describe();
  EXPECT_EQ(user->tz, "Europe/Berlin");
  EXPECT_FALSE(user->is_bot);
  auto nobody = client_->GetUserInfo("U0NOBODY");
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().kind, core::ErrorKind::kNotFound);

  auto channel = client_->GetConversationInfo("C0GENERAL");
  ASSERT_TRUE(channel) << channel.error().Describe();
  EXPECT_EQ(channel->name, "general");
  EXPECT_TRUE(channel->is_channel);
  auto missing = client_->GetConversationInfo("C0NOPE");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("channel_not_found"), std::string::npos);
}

TEST_F(SlackWebApiTest, UsergroupMembersAreListedAndAnUnknownGroupIsAnError) {
  auto oncall = client_->UsergroupMembers("S0ONCALL");
  ASSERT_TRUE(oncall) << oncall.error().Describe();
  EXPECT_EQ(*oncall, (std::vector<std::string>{"U0ALICE", "U0BOB"}));
  auto unknown = client_->UsergroupMembers("S0NOPE");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("no_such_subteam"), std::string::npos);
}

TEST_F(SlackWebApiTest, ResponseUrlRefusesTheSixthUse) {
  const auto ts = Post("card");
  const auto url = slack_->IssueResponseUrl("U0SANDBOXUSER", "C0GENERAL", ts);
  ASSERT_TRUE(client_->Respond(url, {{"text", "one"}}));
  ASSERT_TRUE(client_->Respond(url, {{"text", "two"}, {"response_type", "in_channel"}}));
  ASSERT_TRUE(client_->Respond(url, {{"text", "card v2"}, {"replace_original", true}}));
  ASSERT_TRUE(client_->Respond(url, {{"text", "four"}}));
  ASSERT_TRUE(client_->Respond(url, {{"text", "five"}}));
  auto sixth = client_->Respond(url, {{"text", "six"}});
  ASSERT_FALSE(sixth);
  EXPECT_NE(sixth.error().message.find("404"), std::string::npos) << sixth.error().message;

  const auto messages = slack_->Messages("C0GENERAL");
  ASSERT_EQ(messages.size(), 5u);  // the card (replaced in place) + 4 replies
  EXPECT_EQ(messages[0].text, "card v2");
  EXPECT_TRUE(messages[1].ephemeral);
  EXPECT_FALSE(messages[2].ephemeral);
}

TEST_F(SlackWebApiTest, InjectedRateLimitIs429WithRetryAfterAndHasNoEffect) {
  slack_->InjectRateLimit("chat.postMessage", 1, 7);
  auto limited = client_->PostMessage(OutgoingMessage{"C0GENERAL", "hi", json(), "", false});
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().kind, core::ErrorKind::kRateLimited);
  ASSERT_TRUE(limited.error().retry_after);
  EXPECT_EQ(*limited.error().retry_after, std::chrono::seconds(7));
  EXPECT_TRUE(slack_->Messages().empty());
  EXPECT_EQ(slack_->RateLimitedResponses(), 1u);
  Post("hi");
  EXPECT_EQ(slack_->Messages().size(), 1u);
}

TEST_F(SlackWebApiTest, AcceptsFormEncodedArgumentsWithJsonBlocks) {
  core::net::OutgoingRequest request;
  request.method = "POST";
  request.url = slack_->api_url() + "/chat.postMessage";
  request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  const json blocks =
      json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "*formed*"}}}}});
  request.body = "token=" + core::net::UrlEncode(slack_->options().bot_token) +
                 "&channel=C0GENERAL&text=hello&blocks=" + core::net::UrlEncode(blocks.dump());
  auto response = http_.Send(std::move(request));
  ASSERT_TRUE(response) << response.error().Describe();
  auto body = json::parse(response->body);
  EXPECT_TRUE(body["ok"]) << response->body;
  ASSERT_EQ(slack_->Messages().size(), 1u);
  EXPECT_EQ(slack_->Messages()[0].blocks, blocks);

  // views.open the same way: the view travels as a JSON string.
  core::net::OutgoingRequest open;
  open.method = "POST";
  open.url = slack_->api_url() + "/views.open";
  open.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  open.headers.Set("Authorization", "Bearer " + slack_->options().bot_token);
  open.body = "trigger_id=" + core::net::UrlEncode(slack_->IssueTriggerId()) +
              "&view=" + core::net::UrlEncode(Modal("formed").dump());
  auto opened = http_.Send(std::move(open));
  ASSERT_TRUE(opened) << opened.error().Describe();
  EXPECT_TRUE(json::parse(opened->body)["ok"]) << opened->body;
  ASSERT_EQ(slack_->OpenViews().size(), 1u);
  EXPECT_EQ(slack_->OpenViews()[0].callback_id, "formed");
}

class SlackWebApiRateLimitTest : public SlackWebApiTest {
 protected:
  SlackWebApiRateLimitTest() : SlackWebApiTest(true) {}
};

TEST_F(SlackWebApiRateLimitTest, PostMessageIsPacedPerChannel) {
  for (int i = 0; i < 3; ++i) Post("burst " + std::to_string(i));
  auto fourth = client_->PostMessage(OutgoingMessage{"C0GENERAL", "four", json(), "", false});
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().kind, core::ErrorKind::kRateLimited);
  EXPECT_EQ(fourth.error().retry_after, std::chrono::seconds(1));
  Post("other channel", "C0RANDOM");
  clock_.Advance(std::chrono::seconds(1));
  Post("after a second");
  EXPECT_EQ(slack_->Messages("C0GENERAL").size(), 4u);
  EXPECT_EQ(slack_->RateLimitedResponses(), 1u);
}

class SlackWebApiLatencyTest : public SlackWebApiTest {
 protected:
  SlackWebApiLatencyTest() : SlackWebApiTest(false, std::chrono::seconds(1)) {}
};

// A slow Slack applies the call at once and answers from a timer later: the message is there
// while the caller still waits for its answer.
TEST_F(SlackWebApiLatencyTest, AppliesAtOnceAndAnswersAfterTheLatency) {
  const auto start = std::chrono::steady_clock::now();
  auto answer = std::async(std::launch::async, [this] {
    return client_->PostMessage(OutgoingMessage{"C0GENERAL", "slow", json(), "", false});
  });
  ASSERT_TRUE(testing::WaitFor([&] { return slack_->Messages("C0GENERAL").size() == 1; }));
  EXPECT_EQ(answer.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  auto posted = answer.get();
  ASSERT_TRUE(posted) << posted.error().Describe();
  EXPECT_EQ(posted->ts, slack_->Messages("C0GENERAL")[0].ts);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace contexten
