#pragma once
// The sandbox Slack's workspace state and the Web API methods that act on it: messages (with
// Slack's thread rules and Block Kit checks), reactions, seeded users and channels, modals
// (view_registry.hpp) and response_url replies. HTTP, auth and rate limits live in
// slack_sandbox.cpp; this class only sees method arguments and answers Slack's JSON.

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "sandbox/slack/sandbox_types.hpp"
#include "sandbox/slack/view_registry.hpp"

namespace contexten::sandbox {

struct WorkspaceOptions {
  std::string team_id = "T0SANDBOX";
  std::string app_id = "A0SANDBOX";
  std::string bot_user_id = "U0CONTEXTEN";
  std::string bot_id = "B0CONTEXTEN";
  int response_url_uses = 5;
  std::chrono::minutes response_url_life{30};
};

// A Web API answer: the JSON body (ok true or false) and what observers should hear.
struct WebApiAnswer {
  nlohmann::json body;
  std::vector<SandboxEvent> events;
};

// A response_url answer: HTTP status and body.
struct ResponseUrlAnswer {
  int status = 200;
  nlohmann::json body;
  std::vector<SandboxEvent> events;
};

// Where an interaction came from, so that its response_url and acks act on the right place.
struct InteractionOrigin {
  std::string type;  // slash_commands, block_actions, view_submission, ...
  std::string user;
  std::string channel;
  std::string message_ts;  // the message a button was clicked in
  std::string view_id;     // the view a submission/close/click came from
};

class SlackWorkspace {
 public:
  SlackWorkspace(const core::Clock& clock, WorkspaceOptions options = {});

  // Bot-token Web API methods (chat.*, views.*, reactions.add, users.info, usergroups.users.list,
  // conversations.info, conversations.history, conversations.replies). nullopt for a method
  // this class does not implement.
  std::optional<WebApiAnswer> Call(std::string_view method, const nlohmann::json& args);

  // Records a message as posted now (users' messages, slash-command replies); returns it.
  SandboxMessage AddMessage(SandboxMessage message);
  // A person edits their message (`text`) or deletes it: {before, after} for an edit, the
  // message as it was for a deletion; nullopt when there is no such visible message.
  std::optional<std::pair<SandboxMessage, SandboxMessage>> EditMessage(const std::string& channel,
                                                                       const std::string& ts,
                                                                       const std::string& text);
  std::optional<SandboxMessage> RemoveMessage(const std::string& channel, const std::string& ts);
  // A fresh ts, as Slack stamps an event (message_changed has one of its own).
  std::string NewTs();
  // The message as the Events API and conversations.history show it.
  nlohmann::json EventMessageJson(const SandboxMessage& m) const { return MessageJson(m); }
  std::vector<SandboxMessage> Messages(const std::string& channel = "") const;
  std::optional<SandboxMessage> FindMessage(const std::string& channel,
                                            const std::string& ts) const;
  // Messages `user` can see, newest first.
  std::vector<SandboxMessage> VisibleTo(const std::string& user) const;

  // Adds a member, or replaces the one with the same id. The workspace starts with
  // U0SANDBOXUSER (sandbox.user@example.com), U0ALICE, U0BOB and the bot user.
  void SeedUser(SandboxUser user);
  std::optional<SandboxUser> FindUser(const std::string& id) const;

  // A response_url id for an interaction (the URL is base + "/response/" + id).
  std::string NewResponseUrl(const InteractionOrigin& origin);
  std::optional<InteractionOrigin> ResponseUrlOrigin(const std::string& id) const;
  // A post to a response_url: 5 uses within 30 minutes, then 404 used_url / expired_url.
  ResponseUrlAnswer Respond(const std::string& id, const nlohmann::json& body);
  // A reply that came as an ack payload (slash commands): like a response_url post, no count.
  std::vector<SandboxEvent> Reply(const InteractionOrigin& origin, const nlohmann::json& body);

  ViewRegistry& views() { return views_; }
  const ViewRegistry& views() const { return views_; }

 private:
  WebApiAnswer PostMessage(const nlohmann::json& args);
  WebApiAnswer UpdateMessage(const nlohmann::json& args);
  WebApiAnswer PostEphemeral(const nlohmann::json& args);
  WebApiAnswer DeleteMessage(const nlohmann::json& args);
  WebApiAnswer GetPermalink(const nlohmann::json& args);
  WebApiAnswer OpenOrPushView(const nlohmann::json& args, bool push);
  WebApiAnswer UpdateView(const nlohmann::json& args);
  WebApiAnswer AddReaction(const nlohmann::json& args);
  WebApiAnswer UserInfo(const nlohmann::json& args);
  WebApiAnswer UsergroupUsers(const nlohmann::json& args);
  WebApiAnswer ConversationInfo(const nlohmann::json& args);
  WebApiAnswer History(const nlohmann::json& args);
  WebApiAnswer Replies(const nlohmann::json& args);
  // One page of `found` (already in answer order) from args' cursor and limit, Slack's shape.
  WebApiAnswer Page(const std::vector<SandboxMessage>& found, const nlohmann::json& args);
  bool KnownChannelLocked(const std::string& channel) const;

  std::string NextTs();  // caller holds mu_
  SandboxMessage* FindLocked(const std::string& channel, const std::string& ts);
  // With `metadata`, the message's metadata is included (include_all_metadata); a thread
  // parent carries reply_count when given.
  nlohmann::json MessageJson(const SandboxMessage& m, bool metadata = false,
                             int reply_count = 0) const;

  struct ResponseUrl {
    InteractionOrigin origin;
    core::SteadyTime created;
    int uses = 0;
  };

  const core::Clock& clock_;
  const WorkspaceOptions options_;
  ViewRegistry views_;
  mutable std::mutex mu_;
  std::vector<SandboxMessage> messages_;
  std::vector<SandboxUser> users_;
  std::map<std::string, ResponseUrl> response_urls_;
  std::uint64_t next_response_url_ = 0;
  std::int64_t ts_seconds_ = 0;
  std::int64_t ts_counter_ = 0;
};

}  // namespace contexten::sandbox
