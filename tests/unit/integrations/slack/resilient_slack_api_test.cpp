// ResilientSlackApi: pacing outside, a circuit breaker inside, events on the bus given. Slack's
// failures open the breaker and later calls fail fast without reaching Slack; 429s are paced
// and never count against it.

#include "integrations/slack/resilient_slack_api.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/resilience/events.hpp"

namespace contexten::integrations::slack {
namespace {

using core::ErrorKind;
using core::resilience::CircuitState;
using core::resilience::ResilienceEvent;
using core::resilience::ResilienceEventKind;

// Answers every Web API call with the next scripted error, else `always` if set, else success.
class ScriptedSlack final : public SlackApi {
 public:
  void Script(core::Error error, int times) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < times; ++i) script_.push_back(error);
  }
  void FailAlways(std::optional<core::Error> error) {
    std::lock_guard lock(mu_);
    always_ = std::move(error);
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  core::Result<AuthInfo> AuthTest() override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return AuthInfo{"T1", "U1", "B1", "https://example.slack.com/"};
  }
  core::Result<PostedMessage> PostMessage(const OutgoingMessage& message) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return PostedMessage{message.channel, "1.0001"};
  }
  core::Result<PostedMessage> UpdateMessage(const MessageUpdate& update) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return PostedMessage{update.channel, update.ts};
  }
  core::Result<std::string> PostEphemeral(const EphemeralMessage&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return std::string("1.0002");
  }
  core::Status DeleteMessage(const std::string&, const std::string&) override { return Next(); }
  core::Result<std::string> GetPermalink(const std::string&, const std::string&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return std::string("https://example.slack.com/archives/C1/p1");
  }
  core::Result<ViewInfo> OpenView(const std::string&, const nlohmann::json&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return ViewInfo{};
  }
  core::Result<ViewInfo> UpdateView(const std::string&, const nlohmann::json&,
                                    const std::string&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return ViewInfo{};
  }
  core::Result<ViewInfo> PushView(const std::string&, const nlohmann::json&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return ViewInfo{};
  }
  core::Status AddReaction(const std::string&, const std::string&, const std::string&) override {
    return Next();
  }
  core::Result<UserInfo> GetUserInfo(const std::string&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return UserInfo{};
  }
  core::Result<std::vector<std::string>> UsergroupMembers(const std::string&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return std::vector<std::string>{};
  }
  core::Result<ConversationInfo> GetConversationInfo(const std::string&) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return ConversationInfo{};
  }
  core::Status Respond(const std::string&, const nlohmann::json&) override { return Next(); }
  core::Result<std::optional<PostedMessage>> FindMessageByMetadata(
      const std::string&, const std::string&, const std::string&, const std::string&,
      std::optional<std::string>) override {
    if (auto s = Next(); !s) return core::Unexpected(s.error());
    return std::optional<PostedMessage>();
  }

 private:
  core::Status Next() {
    std::lock_guard lock(mu_);
    ++calls_;
    if (!script_.empty()) {
      auto error = script_.front();
      script_.pop_front();
      return core::Unexpected(std::move(error));
    }
    if (always_) return core::Unexpected(*always_);
    return core::Ok();
  }

  mutable std::mutex mu_;
  std::deque<core::Error> script_;
  std::optional<core::Error> always_;
  int calls_ = 0;
};

class ResilientSlackApiTest : public ::testing::Test {
 protected:
  ResilientSlackApiTest() : events_(std::make_shared<core::resilience::EventBus>()) {
    events_->Subscribe([this](const ResilienceEvent& event) {
      std::lock_guard lock(mu_);
      seen_.push_back(event);
    });
  }

  std::vector<ResilienceEvent> Transitions() {
    std::lock_guard lock(mu_);
    std::vector<ResilienceEvent> out;
    for (const auto& e : seen_) {
      if (e.kind == ResilienceEventKind::kStateTransition) out.push_back(e);
    }
    return out;
  }

  core::FakeClock clock_;
  std::shared_ptr<core::resilience::EventBus> events_;
  ScriptedSlack slack_;
  std::mutex mu_;
  std::vector<ResilienceEvent> seen_;
};

TEST_F(ResilientSlackApiTest, FailuresOpenTheBreakerAndLaterCallsFailFastWithoutSlack) {
  ResilientSlackApi api(slack_, clock_, events_);
  slack_.FailAlways(core::MakeError(ErrorKind::kTransient, "connection reset"));
  // Each call is retried by the pacing layer; every attempt reaches the breaker.
  int calls = 0;
  while (api.breaker().state() == CircuitState::kClosed && calls < 20) {
    auto answer = api.AuthTest();
    EXPECT_FALSE(answer);
    ++calls;
  }
  ASSERT_EQ(api.breaker().state(), CircuitState::kOpen);
  const auto transitions = Transitions();
  ASSERT_EQ(transitions.size(), 1u);
  EXPECT_EQ(transitions[0].component, "slack_api");
  EXPECT_EQ(*transitions[0].to_state, CircuitState::kOpen);

  const int reached = slack_.calls();
  OutgoingMessage message;
  message.channel = "C1";
  message.text = "hello";
  auto refused = api.PostMessage(message);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(slack_.calls(), reached) << "an open breaker does not call Slack";
}

TEST_F(ResilientSlackApiTest, RateLimitedAnswersArePacedAndDoNotCountAsFailures) {
  ResilientSlackApi api(slack_, clock_, events_);
  for (int i = 0; i < 5; ++i) {
    slack_.Script(core::MakeError(ErrorKind::kRateLimited, "ratelimited", std::chrono::seconds(1)),
                  5);
    auto answer = api.AuthTest();
    ASSERT_TRUE(answer) << answer.error().Describe();
  }
  EXPECT_EQ(slack_.calls(), 30);  // 25 answered 429, retried by pacing, 5 succeeded
  EXPECT_EQ(api.breaker().state(), CircuitState::kClosed);
  EXPECT_EQ(api.breaker().metrics().failed_calls, 0);
  EXPECT_TRUE(Transitions().empty());
}

}  // namespace
}  // namespace contexten::integrations::slack
