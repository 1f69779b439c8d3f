// A simulated user clicks buttons and submits modals in the sandbox Slack; a tiny bot (the real
// SocketModeClient and SlackWebClient) answers the way a Slack app does: opens modals with the
// trigger_id, replies over response_url, acks submissions with response_action payloads.

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <vector>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "integrations/slack/socket_mode_client.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using integrations::slack::AckFn;
using integrations::slack::Envelope;
using integrations::slack::EphemeralMessage;
using integrations::slack::OutgoingMessage;
using integrations::slack::SlackWebClient;
using integrations::slack::SocketModeClient;
using integrations::slack::SocketModeOptions;
using nlohmann::json;
using sandbox::SandboxView;
using sandbox::SlackSandbox;
using sandbox::SlackSandboxOptions;
using testing::WaitFor;

json Text(const std::string& t) { return {{"type", "plain_text"}, {"text", t}}; }

json Button(const std::string& label, const std::string& action_id, const std::string& value) {
  return {{"type", "button"}, {"text", Text(label)}, {"action_id", action_id}, {"value", value}};
}

json Card() {
  return json::array(
      {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "*ENG-7* Login fails"}}}},
       {{"type", "actions"},
        {"block_id", "card_actions"},
        {"elements",
         json::array({Button("Assign to me", "assign", "ENG-7"),
                      Button("Create issue", "open_modal", "new"),
                      {{"type", "static_select"},
                       {"action_id", "priority"},
                       {"placeholder", Text("Priority")},
                       {"options", json::array({{{"text", Text("Urgent")}, {"value", "1"}},
                                                {{"text", Text("Low")}, {"value", "4"}}})}}})}}});
}

json IssueModal(bool notify_on_close = false) {
  return {
      {"type", "modal"},
      {"callback_id", "create_issue"},
      {"title", Text("Create issue")},
      {"submit", Text("Create")},
      {"notify_on_close", notify_on_close},
      {"blocks",
       json::array({{{"type", "input"},
                     {"block_id", "title_block"},
                     {"label", Text("Title")},
                     {"element", {{"type", "plain_text_input"}, {"action_id", "title"}}}},
                    {{"type", "input"},
                     {"block_id", "team_block"},
                     {"label", Text("Team")},
                     {"element",
                      {{"type", "static_select"},
                       {"action_id", "team"},
                       {"options", json::array({{{"text", Text("Engineering")}, {"value", "ENG"}},
                                                {{"text", Text("Design")}, {"value", "DES"}}})}}}},
                    {{"type", "input"},
                     {"block_id", "due_block"},
                     {"optional", true},
                     {"label", Text("Due")},
                     {"element", {{"type", "datepicker"}, {"action_id", "due"}}}},
                    {{"type", "actions"},
                     {"block_id", "modal_actions"},
                     {"elements", json::array({Button("More options", "more", "x")})}}})}};
}

// A Slack app in a few lines: records every envelope, acks with whatever `on_envelope` returns.
class TinyBot {
 public:
  using Reaction = std::function<json(const Envelope&)>;  // the ack payload, or null

  explicit TinyBot(SlackSandbox& slack)
      : socket_http_(socket_io_),
        web_http_(web_io_),
        web_(web_http_, slack.api_url(), slack.options().bot_token) {
    SocketModeOptions options;
    options.api_url = slack.api_url();
    options.app_token = slack.options().app_token;
    options.connections = 1;
    options.ping_interval = std::chrono::milliseconds(0);
    client_ = std::make_unique<SocketModeClient>(
        socket_io_, socket_http_, options, [this](Envelope envelope, AckFn ack) {
          Reaction reaction;
          {
            std::lock_guard lock(mu_);
            reaction = reaction_;
          }
          json payload = reaction ? reaction(envelope) : json();
          ack(payload.is_null() ? nullptr : &payload);
          std::lock_guard lock(mu_);
          envelopes_.push_back(std::move(envelope));
        });
    client_->Start();
  }
  ~TinyBot() {
    client_->Stop();
    // The handler runs on socket_io_'s thread and may still be inside a call (views.open over
    // web_io_) or recording what it got: join that thread before the client, the web client and
    // the recorded envelopes go away.
    socket_io_.Stop();
  }

  void React(Reaction reaction) {
    std::lock_guard lock(mu_);
    reaction_ = std::move(reaction);
  }
  std::optional<Envelope> Received(const std::string& envelope_id) {
    std::lock_guard lock(mu_);
    for (const auto& e : envelopes_) {
      if (e.envelope_id == envelope_id) return e;
    }
    return std::nullopt;
  }
  // Waits until the bot has handled `envelope_id`.
  std::optional<Envelope> Await(const std::string& envelope_id) {
    std::optional<Envelope> got;
    WaitFor([&] { return (got = Received(envelope_id)).has_value(); });
    return got;
  }
  bool connected() const { return client_->connected(); }
  SlackWebClient& web() { return web_; }

 private:
  core::net::IoRuntime socket_io_;
  core::net::IoRuntime web_io_;  // web calls from the handler must not block the socket loop
  core::net::HttpClient socket_http_;
  core::net::HttpClient web_http_;
  SlackWebClient web_;
  std::unique_ptr<SocketModeClient> client_;
  std::mutex mu_;
  Reaction reaction_;
  std::vector<Envelope> envelopes_;
};

class SlackInteractionSandboxTest : public ::testing::Test {
 protected:
  SlackInteractionSandboxTest() : slack_(sandbox_io_, Options()) {
    auto started = slack_.Start();
    EXPECT_TRUE(started) << (started ? "" : started.error().Describe());
    bot_ = std::make_unique<TinyBot>(slack_);
    EXPECT_TRUE(WaitFor([&] { return bot_->connected(); }));
  }
  ~SlackInteractionSandboxTest() override {
    bot_.reset();
    slack_.Stop();
  }
  static SlackSandboxOptions Options() {
    SlackSandboxOptions o;
    o.rate_limits.enabled = false;
    return o;
  }

  std::string PostCard() {
    auto posted = bot_->web().PostMessage(OutgoingMessage{"C0GENERAL", "ENG-7", Card(), "", false});
    EXPECT_TRUE(posted) << posted.error().Describe();
    return posted ? posted->ts : "";
  }

  // Clicks "Create issue" on a card; the bot opens the modal with the click's trigger_id.
  SandboxView OpenModalByClick(bool notify_on_close = false) {
    PostCard();
    bot_->React([this, notify_on_close](const Envelope& e) {
      if (e.payload.value("type", "") == "block_actions" &&
          e.payload["actions"][0]["action_id"] == "open_modal") {
        auto opened = bot_->web().OpenView(e.payload["trigger_id"].get<std::string>(),
                                           IssueModal(notify_on_close));
        EXPECT_TRUE(opened) << opened.error().Describe();
      }
      return json();
    });
    auto click = slack_.Click("Create issue");
    EXPECT_TRUE(click) << click.error().message;
    // The view is registered while views.open is still answering; the bot is done once it has
    // its reply and has acked the click (it records the envelope last).
    if (click) {
      EXPECT_TRUE(bot_->Await(*click));
    }
    EXPECT_TRUE(WaitFor([&] { return slack_.OpenViews("U0SANDBOXUSER").size() == 1; }));
    auto views = slack_.OpenViews("U0SANDBOXUSER");
    return views.empty() ? SandboxView{} : views[0];
  }

  core::net::IoRuntime sandbox_io_;
  SlackSandbox slack_;
  std::unique_ptr<TinyBot> bot_;
};

TEST_F(SlackInteractionSandboxTest, ClickSendsBlockActionsShapedLikeSlacks) {
  const auto ts = PostCard();
  auto id = slack_.Click("Assign to me");
  ASSERT_TRUE(id) << id.error().message;
  auto envelope = bot_->Await(*id);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->type, "interactive");
  const json& p = envelope->payload;
  EXPECT_EQ(p["type"], "block_actions");
  EXPECT_EQ(p["user"]["id"], "U0SANDBOXUSER");
  EXPECT_EQ(p["container"], (json{{"type", "message"},
                                  {"message_ts", ts},
                                  {"channel_id", "C0GENERAL"},
                                  {"is_ephemeral", false}}));
  EXPECT_EQ(p["channel"]["id"], "C0GENERAL");
  EXPECT_EQ(p["message"]["ts"], ts);
  EXPECT_EQ(p["message"]["blocks"], Card());
  ASSERT_EQ(p["actions"].size(), 1u);
  EXPECT_EQ(p["actions"][0]["action_id"], "assign");
  EXPECT_EQ(p["actions"][0]["block_id"], "card_actions");
  EXPECT_EQ(p["actions"][0]["value"], "ENG-7");
  EXPECT_EQ(p["actions"][0]["type"], "button");
  EXPECT_EQ(p["actions"][0]["text"]["text"], "Assign to me");
  EXPECT_TRUE(p["trigger_id"].is_string());
  EXPECT_TRUE(p["response_url"].get<std::string>().starts_with(slack_.base_url() + "/response/"));

  // A second click gets a fresh trigger_id.
  auto second = slack_.Click("assign");  // by action_id
  ASSERT_TRUE(second);
  auto again = bot_->Await(*second);
  ASSERT_TRUE(again);
  EXPECT_NE(again->payload["trigger_id"], p["trigger_id"]);
}

TEST_F(SlackInteractionSandboxTest, ResponseUrlReplacesTheClickedMessage) {
  const auto ts = PostCard();
  auto id = slack_.Click("Assign to me");
  ASSERT_TRUE(id);
  auto envelope = bot_->Await(*id);
  ASSERT_TRUE(envelope);
  ASSERT_TRUE(bot_->web().Respond(envelope->payload["response_url"].get<std::string>(),
                                  {{"replace_original", true}, {"text", "Assigned to you"}}));
  auto messages = slack_.Messages("C0GENERAL");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].ts, ts);
  EXPECT_EQ(messages[0].text, "Assigned to you");
  EXPECT_TRUE(slack_.Click("Assign to me"));  // blocks kept: still clickable
}

TEST_F(SlackInteractionSandboxTest, SelectOptionByText) {
  PostCard();
  auto id = slack_.Click("Low");
  ASSERT_TRUE(id) << id.error().message;
  auto envelope = bot_->Await(*id);
  ASSERT_TRUE(envelope);
  const json& action = envelope->payload["actions"][0];
  EXPECT_EQ(action["type"], "static_select");
  EXPECT_EQ(action["action_id"], "priority");
  EXPECT_EQ(action["selected_option"]["value"], "4");
}

TEST_F(SlackInteractionSandboxTest, ClickFindsNothingSaysWhatItSearched) {
  auto id = slack_.Click("Launch rockets");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().kind, core::ErrorKind::kNotFound);
  EXPECT_NE(id.error().message.find("Launch rockets"), std::string::npos);
}

TEST_F(SlackInteractionSandboxTest, EphemeralButtonsAreOnlyForTheirUser) {
  auto ts = bot_->web().PostEphemeral(EphemeralMessage{
      "C0GENERAL", "U0ALICE", "only alice",
      json::array({{{"type", "actions"},
                    {"elements", json::array({Button("Alice's button", "alice", "1")})}}}),
      ""});
  ASSERT_TRUE(ts) << ts.error().Describe();
  EXPECT_FALSE(slack_.Click("Alice's button"));
  auto id = slack_.Click("Alice's button", "U0ALICE");
  ASSERT_TRUE(id) << id.error().message;
  auto envelope = bot_->Await(*id);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->payload["container"]["is_ephemeral"], true);
  EXPECT_EQ(envelope->payload["container"]["message_ts"], *ts);
}

TEST_F(SlackInteractionSandboxTest, ClickOpensModalThenClicksInsideTheView) {
  const auto view = OpenModalByClick();
  EXPECT_EQ(view.callback_id, "create_issue");
  EXPECT_EQ(view.depth, 1);
  auto id = slack_.Click("More options");
  ASSERT_TRUE(id) << id.error().message;
  auto envelope = bot_->Await(*id);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->payload["container"], (json{{"type", "view"}, {"view_id", view.id}}));
  EXPECT_EQ(envelope->payload["view"]["id"], view.id);
  EXPECT_FALSE(envelope->payload.contains("response_url"));
}

TEST_F(SlackInteractionSandboxTest, SubmissionWithErrorsStaysThenAGoodOneCloses) {
  const auto view = OpenModalByClick();
  bot_->React([this](const Envelope& e) -> json {
    if (e.payload.value("type", "") != "view_submission") return json();
    const auto& values = e.payload["view"]["state"]["values"];
    const std::string title = values["title_block"]["title"].value("value", "");
    if (title.size() < 5) {
      return {{"response_action", "errors"},
              {"errors", {{"title_block", "A title needs at least 5 characters"}}}};
    }
    const std::string team = values["team_block"]["team"]["selected_option"]["value"];
    auto posted = bot_->web().PostMessage(
        OutgoingMessage{"C0GENERAL", "Created " + team + ": " + title, json(), "", false});
    EXPECT_TRUE(posted);
    return json();
  });

  auto bad = slack_.SubmitView(view.id, {{"title", "x"}, {"team", "Engineering"}});
  ASSERT_TRUE(bad) << bad.error().message;
  auto envelope = bot_->Await(*bad);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->payload["type"], "view_submission");
  EXPECT_TRUE(envelope->accepts_response_payload);
  EXPECT_EQ(envelope->payload["view"]["state"]["values"]["title_block"]["title"],
            (json{{"type", "plain_text_input"}, {"value", "x"}}));
  EXPECT_EQ(envelope->payload["view"]["state"]["values"]["team_block"]["team"]["selected_option"]
                             ["value"],
            "ENG");
  EXPECT_TRUE(
      envelope->payload["view"]["state"]["values"]["due_block"]["due"]["selected_date"].is_null());
  ASSERT_TRUE(WaitFor([&] {
    auto views = slack_.OpenViews("U0SANDBOXUSER");
    return views.size() == 1 && !views[0].errors.is_null();
  }));
  EXPECT_EQ(slack_.OpenViews("U0SANDBOXUSER")[0].errors["title_block"],
            "A title needs at least 5 characters");

  auto good = slack_.SubmitView(
      view.id, {{"title", "Login fails on Safari"}, {"team_block", "DES"}, {"due", "2026-12-24"}});
  ASSERT_TRUE(good) << good.error().message;
  ASSERT_TRUE(WaitFor([&] { return slack_.OpenViews("U0SANDBOXUSER").empty(); }));
  const auto messages = slack_.Messages("C0GENERAL");
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back().text, "Created DES: Login fails on Safari");
}

TEST_F(SlackInteractionSandboxTest, SubmissionUpdatePushAndClear) {
  const auto view = OpenModalByClick();
  json step2 = IssueModal();
  step2["callback_id"] = "step_two";
  bot_->React([&](const Envelope& e) -> json {
    if (e.payload.value("type", "") != "view_submission") return json();
    const std::string callback = e.payload["view"]["callback_id"];
    if (callback == "create_issue") return {{"response_action", "update"}, {"view", step2}};
    if (callback == "step_two") {
      json confirm = IssueModal();
      confirm["callback_id"] = "confirm";
      return {{"response_action", "push"}, {"view", confirm}};
    }
    return {{"response_action", "clear"}};
  });
  const std::map<std::string, std::string> values = {{"title", "Title one"}, {"team", "ENG"}};
  ASSERT_TRUE(slack_.SubmitView(view.id, values));
  ASSERT_TRUE(WaitFor([&] {
    auto views = slack_.OpenViews("U0SANDBOXUSER");
    return views.size() == 1 && views[0].callback_id == "step_two";
  }));
  EXPECT_EQ(slack_.OpenViews("U0SANDBOXUSER")[0].id, view.id);  // updated in place

  ASSERT_TRUE(slack_.SubmitView(view.id, values));
  ASSERT_TRUE(WaitFor([&] { return slack_.OpenViews("U0SANDBOXUSER").size() == 2; }));
  const auto top = slack_.OpenViews("U0SANDBOXUSER")[1];
  EXPECT_EQ(top.callback_id, "confirm");
  EXPECT_EQ(top.depth, 2);

  ASSERT_TRUE(slack_.SubmitView(top.id, values));
  ASSERT_TRUE(WaitFor([&] { return slack_.OpenViews("U0SANDBOXUSER").empty(); }));
}

TEST_F(SlackInteractionSandboxTest, SubmitRefusesWhatSlacksClientWouldNot) {
  const auto view = OpenModalByClick();
  auto missing = slack_.SubmitView(view.id, {{"title", "no team"}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("team_block"), std::string::npos);
  auto not_theirs = slack_.SubmitView(view.id, {{"title", "t"}, {"team", "ENG"}}, "U0ALICE");
  ASSERT_FALSE(not_theirs);
  EXPECT_EQ(not_theirs.error().kind, core::ErrorKind::kNotFound);
}

TEST_F(SlackInteractionSandboxTest, CloseSendsViewClosedWhenAskedFor) {
  const auto view = OpenModalByClick(/*notify_on_close=*/true);
  auto id = slack_.CloseView(view.id);
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_FALSE(id->empty());
  auto envelope = bot_->Await(*id);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->payload["type"], "view_closed");
  EXPECT_EQ(envelope->payload["view"]["id"], view.id);
  EXPECT_EQ(envelope->payload["is_cleared"], false);
  EXPECT_TRUE(slack_.OpenViews().empty());
}

TEST_F(SlackInteractionSandboxTest, CloseWithoutNotifySendsNothing) {
  const auto view = OpenModalByClick();
  auto id = slack_.CloseView(view.id);
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->empty());
  EXPECT_TRUE(slack_.OpenViews().empty());
}

}  // namespace
}  // namespace contexten
