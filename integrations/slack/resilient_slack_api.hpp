#pragma once
// The Slack Web API in the shape every platform has (../shared/DESIGN.md §2, §5): this object
// owns its resilience parts and publishes their events on the bus passed in.
//   pacing (PacedSlackApi: tier buckets, per-channel order, 429 pauses, transient retries)
//     -> circuit breaker -> the wrapped client
// The breaker sees each call to Slack, so pacing's waits never count as slow calls, and while
// it is open calls fail at once with kUnavailable (which pacing does not retry). A 429 is
// Slack answering: pacing waits it out and the breaker ignores it.

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/events.hpp"
#include "integrations/slack/paced_slack_api.hpp"
#include "integrations/slack/slack_api.hpp"

namespace contexten::integrations::slack {

struct ResilientSlackOptions {
  std::string name = "slack_api";
  core::resilience::CircuitBreakerConfig breaker = DefaultBreaker();
  PacingOptions pacing;  // its `events` is replaced by the bus given to ResilientSlackApi

  // The peer API settings (PeerApiBreakerConfig), rate limiting neither success nor failure.
  static core::resilience::CircuitBreakerConfig DefaultBreaker();
};

class ResilientSlackApi final : public SlackApi {
 public:
  // `inner` and `clock` must outlive this object. Throws std::invalid_argument on bad options.
  ResilientSlackApi(SlackApi& inner, core::Clock& clock,
                    std::shared_ptr<core::resilience::EventBus> events,
                    ResilientSlackOptions options = {});
  ~ResilientSlackApi() override;
  ResilientSlackApi(const ResilientSlackApi&) = delete;
  ResilientSlackApi& operator=(const ResilientSlackApi&) = delete;

  core::Result<AuthInfo> AuthTest() override;
  core::Result<PostedMessage> PostMessage(const OutgoingMessage& message) override;
  core::Result<PostedMessage> UpdateMessage(const MessageUpdate& update) override;
  core::Result<std::string> PostEphemeral(const EphemeralMessage& message) override;
  core::Status DeleteMessage(const std::string& channel, const std::string& ts) override;
  core::Result<std::string> GetPermalink(const std::string& channel,
                                         const std::string& ts) override;
  core::Result<ViewInfo> OpenView(const std::string& trigger_id,
                                  const nlohmann::json& view) override;
  core::Result<ViewInfo> UpdateView(const std::string& view_id, const nlohmann::json& view,
                                    const std::string& hash = "") override;
  core::Result<ViewInfo> PushView(const std::string& trigger_id,
                                  const nlohmann::json& view) override;
  core::Status AddReaction(const std::string& channel, const std::string& ts,
                           const std::string& name) override;
  core::Result<UserInfo> GetUserInfo(const std::string& user_id) override;
  core::Result<std::vector<std::string>> UsergroupMembers(const std::string& usergroup_id) override;
  core::Result<ConversationInfo> GetConversationInfo(const std::string& channel_id) override;
  core::Result<std::optional<PostedMessage>> FindMessageByMetadata(
      const std::string& channel, const std::string& event_type, const std::string& key_field,
      const std::string& key_value, std::optional<std::string> thread_ts = {}) override;
  core::Status Respond(const std::string& response_url, const nlohmann::json& body) override;

  core::resilience::CircuitBreaker& breaker() { return breaker_; }
  const core::resilience::CircuitBreaker& breaker() const { return breaker_; }
  PacedSlackApi& paced() { return *paced_; }

 private:
  class Guarded;  // the wrapped client behind the breaker

  core::resilience::CircuitBreaker breaker_;
  std::unique_ptr<Guarded> guarded_;
  std::unique_ptr<PacedSlackApi> paced_;
};

}  // namespace contexten::integrations::slack
