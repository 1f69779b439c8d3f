#include "integrations/slack/slack_web_client.hpp"

#include <algorithm>
#include <charconv>

namespace contexten::integrations::slack {
namespace {

using core::ErrorKind;

std::optional<std::chrono::milliseconds> RetryAfter(const core::net::HttpResponse& response) {
  auto header = response.headers.Get("Retry-After");
  if (!header) return std::nullopt;
  int seconds = 0;
  auto [ptr, ec] = std::from_chars(header->data(), header->data() + header->size(), seconds);
  if (ec != std::errc() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

core::Result<nlohmann::json> Interpret(const std::string& what,
                                       const core::net::HttpResponse& response) {
  if (response.status == 429) {
    const auto after = RetryAfter(response).value_or(std::chrono::seconds(1));
    return core::Unexpected(
        core::MakeError(ErrorKind::kRateLimited, what + ": ratelimited", after));
  }
  if (response.status >= 500) {
    return core::Unexpected(
        core::MakeError(ErrorKind::kTransient, what + ": HTTP " + std::to_string(response.status)));
  }
  if (response.status != 200) {
    return core::Unexpected(core::MakeError(response.status == 401 || response.status == 403
                                                ? ErrorKind::kUnauthorized
                                                : ErrorKind::kInvalidInput,
                                            what + ": HTTP " + std::to_string(response.status)));
  }
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return core::Unexpected(
        core::MakeError(ErrorKind::kInternal, what + ": response is not a JSON object"));
  }
  if (!body.value("ok", false)) {
    const std::string code = body.value("error", "unknown_error");
    std::string message = what + ": " + code;
    // invalid_blocks and friends explain themselves in response_metadata.messages.
    if (auto meta = body.find("response_metadata"); meta != body.end() && meta->is_object()) {
      if (auto msgs = meta->find("messages"); msgs != meta->end() && msgs->is_array()) {
        for (const auto& m : *msgs) {
          if (m.is_string()) message += "; " + m.get<std::string>();
        }
      }
    }
    return core::Unexpected(
        core::MakeError(KindForSlackError(code), message,
                        code == "ratelimited" ? RetryAfter(response) : std::nullopt));
  }
  return body;
}

}  // namespace

core::ErrorKind KindForSlackError(std::string_view code) {
  if (code == "not_authed" || code == "invalid_auth" || code == "account_inactive" ||
      code == "token_revoked" || code == "token_expired" || code == "no_permission" ||
      code == "missing_scope" || code == "not_allowed_token_type" || code == "ekm_access_denied") {
    return ErrorKind::kUnauthorized;
  }
  if (code == "ratelimited" || code == "rate_limited") return ErrorKind::kRateLimited;
  if (code == "channel_not_found" || code == "user_not_found" || code == "message_not_found" ||
      code == "thread_not_found" || code == "view_not_found" ||
      // views.update and views.push: "The view_id or external_id could not be found"
      // (https://api.slack.com/methods/views.update#errors), e.g. the user closed the modal.
      code == "not_found") {
    return ErrorKind::kNotFound;
  }
  if (code == "internal_error" || code == "fatal_error" || code == "service_unavailable" ||
      code == "request_timeout" || code == "team_added_to_org") {
    return ErrorKind::kTransient;
  }
  if (code == "expired_trigger_id" || code == "exchanged_trigger_id" || code == "already_reacted" ||
      code == "cant_update_message" || code == "edit_window_closed") {
    return ErrorKind::kConflict;
  }
  return ErrorKind::kInvalidInput;  // invalid_blocks, invalid_arguments, msg_too_long, ...
}

SlackWebClient::SlackWebClient(core::net::HttpClient& http, std::string api_url,
                               std::string bot_token)
    : http_(http), api_url_(std::move(api_url)), bot_token_(std::move(bot_token)) {
  while (!api_url_.empty() && api_url_.back() == '/') api_url_.pop_back();
}

core::Result<nlohmann::json> SlackWebClient::Call(const std::string& method,
                                                  const nlohmann::json& args) {
  return Send(method, "application/json; charset=utf-8", args.dump());
}

core::Result<nlohmann::json> SlackWebClient::CallForm(
    const std::string& method, const std::vector<std::pair<std::string, std::string>>& args) {
  std::string body;
  for (const auto& [name, value] : args) {
    if (!body.empty()) body += '&';
    body += core::net::UrlEncode(name) + "=" + core::net::UrlEncode(value);
  }
  return Send(method, "application/x-www-form-urlencoded", std::move(body));
}

core::Result<nlohmann::json> SlackWebClient::Send(const std::string& method,
                                                  std::string content_type, std::string body) {
  core::net::OutgoingRequest request;
  request.method = "POST";
  request.url = api_url_ + "/" + method;
  request.headers.Set("Content-Type", std::move(content_type));
  request.headers.Set("Authorization", "Bearer " + bot_token_);
  request.body = std::move(body);
  auto response = http_.Send(std::move(request));
  if (!response) {
    auto error = response.error();
    error.message = method + ": " + error.message;
    return core::Unexpected(std::move(error));
  }
  return Interpret(method, *response);
}

core::Result<AuthInfo> SlackWebClient::AuthTest() {
  auto body = Call("auth.test", nlohmann::json::object());
  if (!body) return core::Unexpected(body.error());
  AuthInfo info;
  info.team_id = body->value("team_id", "");
  info.user_id = body->value("user_id", "");
  info.bot_id = body->value("bot_id", "");
  info.url = body->value("url", "");
  return info;
}

core::Result<PostedMessage> SlackWebClient::PostMessage(const OutgoingMessage& message) {
  nlohmann::json args = {{"channel", message.channel}, {"text", message.text}};
  if (message.blocks.is_array()) args["blocks"] = message.blocks;
  if (!message.thread_ts.empty()) {
    args["thread_ts"] = message.thread_ts;
    if (message.reply_broadcast) args["reply_broadcast"] = true;
  }
  if (message.metadata) args["metadata"] = *message.metadata;
  auto body = Call("chat.postMessage", args);
  if (!body) return core::Unexpected(body.error());
  return PostedMessage{body->value("channel", message.channel), body->value("ts", "")};
}

core::Result<PostedMessage> SlackWebClient::UpdateMessage(const MessageUpdate& update) {
  nlohmann::json args = {{"channel", update.channel}, {"ts", update.ts}, {"text", update.text}};
  if (update.blocks.is_array()) args["blocks"] = update.blocks;
  auto body = Call("chat.update", args);
  if (!body) return core::Unexpected(body.error());
  return PostedMessage{body->value("channel", update.channel), body->value("ts", update.ts)};
}

core::Result<std::string> SlackWebClient::PostEphemeral(const EphemeralMessage& message) {
  nlohmann::json args = {
      {"channel", message.channel}, {"user", message.user}, {"text", message.text}};
  if (message.blocks.is_array()) args["blocks"] = message.blocks;
  if (!message.thread_ts.empty()) args["thread_ts"] = message.thread_ts;
  auto body = Call("chat.postEphemeral", args);
  if (!body) return core::Unexpected(body.error());
  return body->value("message_ts", "");
}

core::Status SlackWebClient::DeleteMessage(const std::string& channel, const std::string& ts) {
  auto body = Call("chat.delete", {{"channel", channel}, {"ts", ts}});
  if (!body) return core::Unexpected(body.error());
  return core::Ok();
}

core::Result<std::string> SlackWebClient::GetPermalink(const std::string& channel,
                                                       const std::string& ts) {
  auto body = Call("chat.getPermalink", {{"channel", channel}, {"message_ts", ts}});
  if (!body) return core::Unexpected(body.error());
  return body->value("permalink", "");
}

namespace {
core::Result<ViewInfo> ToViewInfo(const core::Result<nlohmann::json>& body) {
  if (!body) return core::Unexpected(body.error());
  const auto view = body->value("view", nlohmann::json::object());
  return ViewInfo{view.value("id", ""), view.value("hash", ""), view.value("callback_id", ""),
                  view.value("root_view_id", "")};
}
}  // namespace

core::Result<ViewInfo> SlackWebClient::OpenView(const std::string& trigger_id,
                                                const nlohmann::json& view) {
  return ToViewInfo(Call("views.open", {{"trigger_id", trigger_id}, {"view", view}}));
}

core::Result<ViewInfo> SlackWebClient::UpdateView(const std::string& view_id,
                                                  const nlohmann::json& view,
                                                  const std::string& hash) {
  nlohmann::json args = {{"view_id", view_id}, {"view", view}};
  if (!hash.empty()) args["hash"] = hash;
  return ToViewInfo(Call("views.update", args));
}

core::Result<ViewInfo> SlackWebClient::PushView(const std::string& trigger_id,
                                                const nlohmann::json& view) {
  return ToViewInfo(Call("views.push", {{"trigger_id", trigger_id}, {"view", view}}));
}

core::Status SlackWebClient::AddReaction(const std::string& channel, const std::string& ts,
                                         const std::string& name) {
  auto body = Call("reactions.add", {{"channel", channel}, {"timestamp", ts}, {"name", name}});
  if (!body && body.error().message.find("already_reacted") == std::string::npos) {
    return core::Unexpected(body.error());
  }
  return core::Ok();
}

core::Result<UserInfo> SlackWebClient::GetUserInfo(const std::string& user_id) {
  auto body = Call("users.info", {{"user", user_id}});
  if (!body) return core::Unexpected(body.error());
  const auto user = body->value("user", nlohmann::json::object());
  const auto profile = user.value("profile", nlohmann::json::object());
  UserInfo info;
  info.id = user.value("id", user_id);
  info.name = user.value("name", "");
  info.real_name = user.value("real_name", profile.value("real_name", ""));
  info.display_name = profile.value("display_name", "");
  info.tz = user.value("tz", "");
  info.email = profile.value("email", "");
  info.is_bot = user.value("is_bot", false);
  info.deleted = user.value("deleted", false);
  return info;
}

core::Result<std::vector<std::string>> SlackWebClient::UsergroupMembers(
    const std::string& usergroup_id) {
  auto body = Call("usergroups.users.list", {{"usergroup", usergroup_id}});
  if (!body) return core::Unexpected(body.error());
  std::vector<std::string> users;
  for (const auto& user : body->value("users", nlohmann::json::array())) {
    if (user.is_string()) users.push_back(user.get<std::string>());
  }
  return users;
}

core::Result<ConversationInfo> SlackWebClient::GetConversationInfo(const std::string& channel_id) {
  auto body = Call("conversations.info", {{"channel", channel_id}});
  if (!body) return core::Unexpected(body.error());
  const auto channel = body->value("channel", nlohmann::json::object());
  ConversationInfo info;
  info.id = channel.value("id", channel_id);
  info.name = channel.value("name", "");
  info.is_channel = channel.value("is_channel", false);
  info.is_private = channel.value("is_private", false);
  info.is_im = channel.value("is_im", false);
  info.is_archived = channel.value("is_archived", false);
  info.is_member = channel.value("is_member", false);
  return info;
}

core::Result<std::optional<PostedMessage>> SlackWebClient::FindMessageByMetadata(
    const std::string& channel, const std::string& event_type, const std::string& key_field,
    const std::string& key_value, std::optional<std::string> thread_ts) {
  // conversations.history answers newest first; conversations.replies oldest first (the parent,
  // then its replies), so a thread's page is searched from its end.
  const bool in_thread = thread_ts.has_value() && !thread_ts->empty();
  const std::string method = in_thread ? "conversations.replies" : "conversations.history";
  constexpr int kPageSize = 100;
  std::vector<nlohmann::json> seen;
  std::string cursor;
  while (static_cast<int>(seen.size()) < kMetadataSearchLimit) {
    std::vector<std::pair<std::string, std::string>> args = {
        {"channel", channel},
        {"include_all_metadata", "true"},
        {"limit", std::to_string(std::min<int>(
                      kPageSize, kMetadataSearchLimit - static_cast<int>(seen.size())))}};
    if (in_thread) args.emplace_back("ts", *thread_ts);
    if (!cursor.empty()) args.emplace_back("cursor", cursor);
    auto body = CallForm(method, args);
    if (!body) return core::Unexpected(body.error());
    const auto messages = body->value("messages", nlohmann::json::array());
    if (!messages.is_array()) break;
    for (const auto& m : messages) {
      if (static_cast<int>(seen.size()) >= kMetadataSearchLimit) break;
      seen.push_back(m);
    }
    const auto meta = body->value("response_metadata", nlohmann::json::object());
    cursor = meta.is_object() ? meta.value("next_cursor", "") : "";
    if (cursor.empty() || messages.empty()) break;
  }
  auto matches = [&](const nlohmann::json& m) {
    return m.is_object() && m.contains("metadata") &&
           MetadataMatches(m["metadata"], event_type, key_field, key_value);
  };
  auto found = [&](const nlohmann::json& m) {
    return std::optional<PostedMessage>(PostedMessage{channel, m.value("ts", "")});
  };
  if (in_thread) {
    for (auto it = seen.rbegin(); it != seen.rend(); ++it) {
      if (matches(*it)) return found(*it);
    }
  } else {
    for (const auto& m : seen) {
      if (matches(m)) return found(m);
    }
  }
  return std::optional<PostedMessage>();
}

core::Status SlackWebClient::Respond(const std::string& response_url, const nlohmann::json& body) {
  core::net::OutgoingRequest request;
  request.method = "POST";
  request.url = response_url;
  request.headers.Set("Content-Type", "application/json; charset=utf-8");
  request.body = body.dump();
  auto response = http_.Send(std::move(request));
  if (!response) return core::Unexpected(response.error());
  // Slack has answered response_url posts with a bare "ok" as well as with JSON.
  if (response->status == 200 && !response->body.starts_with("{")) return core::Ok();
  auto result = Interpret("response_url", *response);
  if (!result) return core::Unexpected(result.error());
  return core::Ok();
}

}  // namespace contexten::integrations::slack
