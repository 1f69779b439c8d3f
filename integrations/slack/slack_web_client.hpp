#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/net/http_client.hpp"
#include "integrations/slack/slack_api.hpp"

namespace contexten::integrations::slack {

// Maps Slack's `error` codes to error kinds (so callers know whether to retry).
core::ErrorKind KindForSlackError(std::string_view code);

class SlackWebClient final : public SlackApi {
 public:
  // `api_url` is e.g. "https://slack.com/api" (no trailing slash needed).
  SlackWebClient(core::net::HttpClient& http, std::string api_url, std::string bot_token);

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
  // conversations.history (or conversations.replies for a thread) with include_all_metadata,
  // following cursors until kMetadataSearchLimit messages were seen.
  core::Result<std::optional<PostedMessage>> FindMessageByMetadata(
      const std::string& channel, const std::string& event_type, const std::string& key_field,
      const std::string& key_value, std::optional<std::string> thread_ts = {}) override;
  core::Status Respond(const std::string& response_url, const nlohmann::json& body) override;

  // Calls any Web API method with a JSON body. HTTP 200 with ok:false becomes an Error whose
  // message carries Slack's code; 429 becomes kRateLimited with Retry-After.
  core::Result<nlohmann::json> Call(const std::string& method, const nlohmann::json& args);
  // The same with the arguments as a form (application/x-www-form-urlencoded): Slack's read
  // methods (conversations.history, conversations.replies) do not take JSON bodies.
  core::Result<nlohmann::json> CallForm(
      const std::string& method, const std::vector<std::pair<std::string, std::string>>& args);

 private:
  core::Result<nlohmann::json> Send(const std::string& method, std::string content_type,
                                    std::string body);

  core::net::HttpClient& http_;
  std::string api_url_;
  std::string bot_token_;
};

}  // namespace contexten::integrations::slack
