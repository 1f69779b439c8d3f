#include "integrations/slack/resilient_slack_api.hpp"

#include <utility>

#include "core/resilience/peer_api_breaker.hpp"

namespace contexten::integrations::slack {

core::resilience::CircuitBreakerConfig ResilientSlackOptions::DefaultBreaker() {
  auto config = core::resilience::PeerApiBreakerConfig();
  config.ignore = [](const core::Error& error) {
    return error.kind == core::ErrorKind::kRateLimited;
  };
  return config;
}

// Every call to the wrapped client goes through the breaker.
class ResilientSlackApi::Guarded final : public SlackApi {
 public:
  Guarded(SlackApi& inner, core::resilience::CircuitBreaker& breaker)
      : inner_(inner), breaker_(breaker) {}

  core::Result<AuthInfo> AuthTest() override {
    return breaker_.Execute([&] { return inner_.AuthTest(); });
  }
  core::Result<PostedMessage> PostMessage(const OutgoingMessage& message) override {
    return breaker_.Execute([&] { return inner_.PostMessage(message); });
  }
  core::Result<PostedMessage> UpdateMessage(const MessageUpdate& update) override {
    return breaker_.Execute([&] { return inner_.UpdateMessage(update); });
  }
  core::Result<std::string> PostEphemeral(const EphemeralMessage& message) override {
    return breaker_.Execute([&] { return inner_.PostEphemeral(message); });
  }
  core::Status DeleteMessage(const std::string& channel, const std::string& ts) override {
    return breaker_.Execute([&] { return inner_.DeleteMessage(channel, ts); });
  }
  core::Result<std::string> GetPermalink(const std::string& channel,
                                         const std::string& ts) override {
    return breaker_.Execute([&] { return inner_.GetPermalink(channel, ts); });
  }
  core::Result<ViewInfo> OpenView(const std::string& trigger_id,
                                  const nlohmann::json& view) override {
    return breaker_.Execute([&] { return inner_.OpenView(trigger_id, view); });
  }
  core::Result<ViewInfo> UpdateView(const std::string& view_id, const nlohmann::json& view,
                                    const std::string& hash) override {
    return breaker_.Execute([&] { return inner_.UpdateView(view_id, view, hash); });
  }
  core::Result<ViewInfo> PushView(const std::string& trigger_id,
                                  const nlohmann::json& view) override {
    return breaker_.Execute([&] { return inner_.PushView(trigger_id, view); });
  }
  core::Status AddReaction(const std::string& channel, const std::string& ts,
                           const std::string& name) override {
    return breaker_.Execute([&] { return inner_.AddReaction(channel, ts, name); });
  }
  core::Result<UserInfo> GetUserInfo(const std::string& user_id) override {
    return breaker_.Execute([&] { return inner_.GetUserInfo(user_id); });
  }
  core::Result<std::vector<std::string>> UsergroupMembers(
      const std::string& usergroup_id) override {
    return breaker_.Execute([&] { return inner_.UsergroupMembers(usergroup_id); });
  }
  core::Result<ConversationInfo> GetConversationInfo(const std::string& channel_id) override {
    return breaker_.Execute([&] { return inner_.GetConversationInfo(channel_id); });
  }
  core::Result<std::optional<PostedMessage>> FindMessageByMetadata(
      const std::string& channel, const std::string& event_type, const std::string& key_field,
      const std::string& key_value, std::optional<std::string> thread_ts) override {
    return breaker_.Execute([&] {
      return inner_.FindMessageByMetadata(channel, event_type, key_field, key_value, thread_ts);
    });
  }
  core::Status Respond(const std::string& response_url, const nlohmann::json& body) override {
    return breaker_.Execute([&] { return inner_.Respond(response_url, body); });
  }

 private:
  SlackApi& inner_;
  core::resilience::CircuitBreaker& breaker_;
};

namespace {

PacingOptions WithEvents(PacingOptions pacing, std::shared_ptr<core::resilience::EventBus> events) {
  pacing.events = std::move(events);
  return pacing;
}

}  // namespace

ResilientSlackApi::ResilientSlackApi(SlackApi& inner, core::Clock& clock,
                                     std::shared_ptr<core::resilience::EventBus> events,
                                     ResilientSlackOptions options)
    : breaker_(options.name, std::move(options.breaker), clock, events),
      guarded_(std::make_unique<Guarded>(inner, breaker_)),
      paced_(std::make_unique<PacedSlackApi>(*guarded_, clock,
                                             WithEvents(std::move(options.pacing), events))) {}

ResilientSlackApi::~ResilientSlackApi() = default;

core::Result<AuthInfo> ResilientSlackApi::AuthTest() { return paced_->AuthTest(); }
core::Result<PostedMessage> ResilientSlackApi::PostMessage(const OutgoingMessage& message) {
  return paced_->PostMessage(message);
}
core::Result<PostedMessage> ResilientSlackApi::UpdateMessage(const MessageUpdate& update) {
  return paced_->UpdateMessage(update);
}
core::Result<std::string> ResilientSlackApi::PostEphemeral(const EphemeralMessage& message) {
  return paced_->PostEphemeral(message);
}
core::Status ResilientSlackApi::DeleteMessage(const std::string& channel, const std::string& ts) {
  return paced_->DeleteMessage(channel, ts);
}
core::Result<std::string> ResilientSlackApi::GetPermalink(const std::string& channel,
                                                          const std::string& ts) {
  return paced_->GetPermalink(channel, ts);
}
core::Result<ViewInfo> ResilientSlackApi::OpenView(const std::string& trigger_id,
                                                   const nlohmann::json& view) {
  return paced_->OpenView(trigger_id, view);
}
core::Result<ViewInfo> ResilientSlackApi::UpdateView(const std::string& view_id,
                                                     const nlohmann::json& view,
                                                     const std::string& hash) {
  return paced_->UpdateView(view_id, view, hash);
}
core::Result<ViewInfo> ResilientSlackApi::PushView(const std::string& trigger_id,
                                                   const nlohmann::json& view) {
  return paced_->PushView(trigger_id, view);
}
core::Status ResilientSlackApi::AddReaction(const std::string& channel, const std::string& ts,
                                            const std::string& name) {
  return paced_->AddReaction(channel, ts, name);
}
core::Result<UserInfo> ResilientSlackApi::GetUserInfo(const std::string& user_id) {
  return paced_->GetUserInfo(user_id);
}

core::Result<std::vector<std::string>> ResilientSlackApi::UsergroupMembers(
    const std::string& usergroup_id) {
  return paced_->UsergroupMembers(usergroup_id);
}
core::Result<ConversationInfo> ResilientSlackApi::GetConversationInfo(
    const std::string& channel_id) {
  return paced_->GetConversationInfo(channel_id);
}
core::Result<std::optional<PostedMessage>> ResilientSlackApi::FindMessageByMetadata(
    const std::string& channel, const std::string& event_type, const std::string& key_field,
    const std::string& key_value, std::optional<std::string> thread_ts) {
  return paced_->FindMessageByMetadata(channel, event_type, key_field, key_value,
                                       std::move(thread_ts));
}
core::Status ResilientSlackApi::Respond(const std::string& response_url,
                                        const nlohmann::json& body) {
  return paced_->Respond(response_url, body);
}

}  // namespace contexten::integrations::slack
