#pragma once
// Port: the Slack Web API as the rest of Contexten sees it. SlackWebClient implements it over
// HTTP; workflows and handlers depend on this interface only.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

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
  // Message metadata (https://api.slack.com/metadata/using): {"event_type": "...",
  // "event_payload": {...}}. Invisible to people; lets the bot find its own message again
  // (FindMessageByMetadata) when it cannot tell whether a post went through.
  std::optional<nlohmann::json> metadata{};
};

struct PostedMessage {
  std::string channel;
  std::string ts;
};

// chat.update: replaces text and blocks of a message the bot posted (e.g. a thread's parent).
struct MessageUpdate {
  std::string channel;
  std::string ts;
  std::string text;
  nlohmann::json blocks;  // null keeps none; an array replaces them
};

struct EphemeralMessage {
  std::string channel;
  std::string user;  // the only one who sees it
  std::string text;
  nlohmann::json blocks;  // null or an array
  std::string thread_ts;
};

// What views.open/update/push answer with.
struct ViewInfo {
  std::string id;
  std::string hash;  // pass to UpdateView to refuse a stale update
  std::string callback_id;
  std::string root_view_id;
};

struct UserInfo {
  std::string id;
  std::string name;
  std::string real_name;
  std::string display_name;
  std::string tz;     // IANA zone, e.g. "Europe/Berlin"
  std::string email;  // user.profile.email; empty without the users:read.email scope or for bots
  bool is_bot = false;
  bool deleted = false;
};

struct ConversationInfo {
  std::string id;
  std::string name;
  bool is_channel = false;
  bool is_private = false;
  bool is_im = false;
  bool is_archived = false;
  bool is_member = false;
};

// How many of the latest messages FindMessageByMetadata looks at.
inline constexpr int kMetadataSearchLimit = 200;

// Whether a message's metadata (Slack's {"event_type","event_payload"} object) is of
// `event_type` and has event_payload[key_field] == key_value (a string, or a number compared
// by its JSON text).
bool MetadataMatches(const nlohmann::json& metadata, const std::string& event_type,
                     const std::string& key_field, const std::string& key_value);

class SlackApi {
 public:
  virtual ~SlackApi() = default;
  virtual core::Result<AuthInfo> AuthTest() = 0;
  virtual core::Result<PostedMessage> PostMessage(const OutgoingMessage& message) = 0;
  virtual core::Result<PostedMessage> UpdateMessage(const MessageUpdate& update) = 0;
  // Returns the ephemeral message's ts.
  virtual core::Result<std::string> PostEphemeral(const EphemeralMessage& message) = 0;
  virtual core::Status DeleteMessage(const std::string& channel, const std::string& ts) = 0;
  virtual core::Result<std::string> GetPermalink(const std::string& channel,
                                                 const std::string& ts) = 0;
  // `view` is a complete modal view object. trigger_id is good for 3 s and one use.
  virtual core::Result<ViewInfo> OpenView(const std::string& trigger_id,
                                          const nlohmann::json& view) = 0;
  // `hash` empty = unconditional update.
  virtual core::Result<ViewInfo> UpdateView(const std::string& view_id, const nlohmann::json& view,
                                            const std::string& hash = "") = 0;
  virtual core::Result<ViewInfo> PushView(const std::string& trigger_id,
                                          const nlohmann::json& view) = 0;
  // `name` without colons ("eyes"). Reacting twice is not an error.
  virtual core::Status AddReaction(const std::string& channel, const std::string& ts,
                                   const std::string& name) = 0;
  virtual core::Result<UserInfo> GetUserInfo(const std::string& user_id) = 0;
  // usergroups.users.list: the user ids in a user group (S...), for allow-lists.
  virtual core::Result<std::vector<std::string>> UsergroupMembers(
      const std::string& usergroup_id) = 0;
  virtual core::Result<ConversationInfo> GetConversationInfo(const std::string& channel_id) = 0;
  // The newest message carrying metadata of `event_type` whose event_payload[key_field] equals
  // `key_value`, among the latest kMetadataSearchLimit top-level messages of `channel`
  // (conversations.history), or among the first kMetadataSearchLimit messages of the thread
  // `thread_ts` when given (conversations.replies, which lists a thread oldest first). nullopt
  // when none matches. For looking before re-posting after an outcome-unknown failure
  // (../shared/DESIGN.md §3).
  virtual core::Result<std::optional<PostedMessage>> FindMessageByMetadata(
      const std::string& channel, const std::string& event_type, const std::string& key_field,
      const std::string& key_value, std::optional<std::string> thread_ts = {}) = 0;
  // Replies through an interaction's response_url (no token; the URL is the credential).
  virtual core::Status Respond(const std::string& response_url, const nlohmann::json& body) = 0;
};

}  // namespace contexten::integrations::slack
