#pragma once
// A SlackApi that records every call and answers from settable results, for listener tests.

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "integrations/slack/slack_api.hpp"

namespace contexten::testing {

class RecordingSlackApi : public integrations::slack::SlackApi {
 public:
  struct Call {
    std::string method;  // "chat.postMessage", "views.open", ...
    nlohmann::json args;
  };

  core::Result<integrations::slack::AuthInfo> AuthTest() override {
    Record("auth.test", {});
    return integrations::slack::AuthInfo{"T1", "U0BOT", "B0BOT", "https://example/"};
  }
  core::Result<integrations::slack::PostedMessage> PostMessage(
      const integrations::slack::OutgoingMessage& m) override {
    Record("chat.postMessage", {{"channel", m.channel},
                                {"text", m.text},
                                {"blocks", m.blocks},
                                {"thread_ts", m.thread_ts},
                                {"reply_broadcast", m.reply_broadcast},
                                {"metadata", m.metadata.value_or(nlohmann::json())}});
    if (!post_ok) return core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable, "down"));
    return integrations::slack::PostedMessage{m.channel, "1700000000." + std::to_string(++ts_)};
  }
  core::Result<integrations::slack::PostedMessage> UpdateMessage(
      const integrations::slack::MessageUpdate& u) override {
    Record("chat.update",
           {{"channel", u.channel}, {"ts", u.ts}, {"text", u.text}, {"blocks", u.blocks}});
    return integrations::slack::PostedMessage{u.channel, u.ts};
  }
  core::Result<std::string> PostEphemeral(const integrations::slack::EphemeralMessage& m) override {
    Record("chat.postEphemeral", {{"channel", m.channel},
                                  {"user", m.user},
                                  {"text", m.text},
                                  {"blocks", m.blocks},
                                  {"thread_ts", m.thread_ts}});
    return std::string("1700000000.9");
  }
  core::Status DeleteMessage(const std::string& channel, const std::string& ts) override {
    Record("chat.delete", {{"channel", channel}, {"ts", ts}});
    return core::Ok();
  }
  core::Result<std::string> GetPermalink(const std::string& channel,
                                         const std::string& ts) override {
    Record("chat.getPermalink", {{"channel", channel}, {"ts", ts}});
    return std::string("https://example/archives/" + channel + "/p" + ts);
  }
  core::Result<integrations::slack::ViewInfo> OpenView(const std::string& trigger_id,
                                                       const nlohmann::json& view) override {
    Record("views.open", {{"trigger_id", trigger_id}, {"view", view}});
    if (!open_view_ok) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kInvalidInput, "expired_trigger_id"));
    }
    return integrations::slack::ViewInfo{"V1", "h1", view.value("callback_id", ""), "V1"};
  }
  core::Result<integrations::slack::ViewInfo> UpdateView(const std::string& view_id,
                                                         const nlohmann::json& view,
                                                         const std::string& hash) override {
    Record("views.update", {{"view_id", view_id}, {"view", view}, {"hash", hash}});
    return integrations::slack::ViewInfo{view_id, "h2", view.value("callback_id", ""), view_id};
  }
  core::Result<integrations::slack::ViewInfo> PushView(const std::string& trigger_id,
                                                       const nlohmann::json& view) override {
    Record("views.push", {{"trigger_id", trigger_id}, {"view", view}});
    return integrations::slack::ViewInfo{"V2", "h3", view.value("callback_id", ""), "V1"};
  }
  core::Status AddReaction(const std::string& channel, const std::string& ts,
                           const std::string& name) override {
    Record("reactions.add", {{"channel", channel}, {"ts", ts}, {"name", name}});
    return core::Ok();
  }
  core::Result<integrations::slack::UserInfo> GetUserInfo(const std::string& user_id) override {
    Record("users.info", {{"user", user_id}});
    std::lock_guard lock(mu_);
    integrations::slack::UserInfo info = user_info_.value_or(integrations::slack::UserInfo{});
    info.id = user_id;
    return info;
  }
  core::Result<std::vector<std::string>> UsergroupMembers(
      const std::string& usergroup_id) override {
    Record("usergroups.users.list", {{"usergroup", usergroup_id}});
    std::lock_guard lock(mu_);
    auto it = usergroups_.find(usergroup_id);
    if (it == usergroups_.end()) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "Slack: no_such_subteam"));
    }
    return it->second;
  }
  void SetUsergroup(const std::string& id, std::vector<std::string> users) {
    std::lock_guard lock(mu_);
    usergroups_[id] = std::move(users);
  }
  core::Result<integrations::slack::ConversationInfo> GetConversationInfo(
      const std::string& channel_id) override {
    Record("conversations.info", {{"channel", channel_id}});
    integrations::slack::ConversationInfo info;
    info.id = channel_id;
    return info;
  }
  core::Status Respond(const std::string& response_url, const nlohmann::json& body) override {
    Record("response_url", {{"url", response_url}, {"body", body}});
    return core::Ok();
  }

  core::Result<std::optional<integrations::slack::PostedMessage>> FindMessageByMetadata(
      const std::string& channel, const std::string& event_type, const std::string& key_field,
      const std::string& key_value, std::optional<std::string> thread_ts) override {
    Record(thread_ts ? "conversations.replies" : "conversations.history",
           {{"channel", channel},
            {"event_type", event_type},
            {"key_field", key_field},
            {"key_value", key_value},
            {"thread_ts", thread_ts.value_or("")}});
    std::lock_guard lock(mu_);
    return found_message_;
  }
  // What FindMessageByMetadata answers (nothing found by default).
  void SetFoundMessage(std::optional<integrations::slack::PostedMessage> message) {
    std::lock_guard lock(mu_);
    found_message_ = std::move(message);
  }

  // What GetUserInfo answers (its id is always the one asked for; otherwise empty fields).
  void SetUserInfo(integrations::slack::UserInfo info) {
    std::lock_guard lock(mu_);
    user_info_ = std::move(info);
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<Call> CallsTo(const std::string& method) const {
    std::vector<Call> out;
    for (auto& c : calls()) {
      if (c.method == method) out.push_back(c);
    }
    return out;
  }

  bool post_ok = true;
  bool open_view_ok = true;

 private:
  void Record(std::string method, nlohmann::json args) {
    std::lock_guard lock(mu_);
    calls_.push_back({std::move(method), std::move(args)});
  }
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::optional<integrations::slack::PostedMessage> found_message_;
  std::optional<integrations::slack::UserInfo> user_info_;
  std::map<std::string, std::vector<std::string>> usergroups_;
  std::atomic<int> ts_{0};
};

}  // namespace contexten::testing
