#pragma once
// Port: the Slack Web API as the rest of Contexten sees it. SlackWebClient implements it over
// HTTP; workflows and handlers depend on this interface only.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace contexten::integrations::slack {

struct AuthInfo {
  std::string team_id;
  std::string user_id;  // the bot user
  std::string bot_id;
  std::string url;
};

struct OutgoingMessage {
  std::string channel;
  std::string text;              // fallback text (notifications, screen readers)
  nlohmann::json blocks;         // null or an array
  std::string thread_ts;         // reply in this thread when set
  bool reply_broadcast = false;  // also show a thread reply in the channel
};

struct PostedMessage {
  std::string channel;
  std::string ts;
};

class SlackApi {
 public:
  virtual ~SlackApi() = default;
  virtual core::Result<AuthInfo> AuthTest() = 0;
  virtual core::Result<PostedMessage> PostMessage(const OutgoingMessage& message) = 0;
  // Replies through an interaction's response_url (no token; the URL is the credential).
  virtual core::Status Respond(const std::string& response_url, const nlohmann::json& body) = 0;
};

}  // namespace contexten::integrations::slack
