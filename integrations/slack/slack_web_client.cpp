#include "integrations/slack/slack_web_client.hpp"

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
    return core::Unexpected(core::MakeError(ErrorKind::kRateLimited, what + ": ratelimited", after));
  }
  if (response.status >= 500) {
    return core::Unexpected(core::MakeError(
        ErrorKind::kTransient, what + ": HTTP " + std::to_string(response.status)));
  }
  if (response.status != 200) {
    return core::Unexpected(core::MakeError(
        response.status == 401 || response.status == 403 ? ErrorKind::kUnauthorized
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
      code == "thread_not_found" || code == "view_not_found") {
    return ErrorKind::kNotFound;
  }
  if (code == "internal_error" || code == "fatal_error" || code == "service_unavailable" ||
      code == "request_timeout" || code == "team_added_to_org") {
    return ErrorKind::kTransient;
  }
  if (code == "expired_trigger_id" || code == "exchanged_trigger_id" ||
      code == "already_reacted" || code == "cant_update_message" || code == "edit_window_closed") {
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
  core::net::OutgoingRequest request;
  request.method = "POST";
  request.url = api_url_ + "/" + method;
  request.headers.Set("Content-Type", "application/json; charset=utf-8");
  request.headers.Set("Authorization", "Bearer " + bot_token_);
  request.body = args.dump();
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
  auto body = Call("chat.postMessage", args);
  if (!body) return core::Unexpected(body.error());
  return PostedMessage{body->value("channel", message.channel), body->value("ts", "")};
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
