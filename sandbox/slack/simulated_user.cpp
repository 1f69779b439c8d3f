#include "sandbox/slack/simulated_user.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "core/logging.hpp"
#include "sandbox/slack/interaction_payloads.hpp"

namespace contexten::sandbox {

using nlohmann::json;

SimulatedUser::SimulatedUser(SlackWorkspace& workspace, const core::Clock& clock,
                             SimulatedUserOptions options, SendFn send, NotifyFn notify)
    : workspace_(workspace),
      clock_(clock),
      options_(std::move(options)),
      send_(std::move(send)),
      notify_(std::move(notify)) {}

void SimulatedUser::NotifyView(SandboxEvent::Kind kind, const SandboxView& view) {
  SandboxEvent event{kind, std::nullopt, std::nullopt};
  event.view = view;
  notify_(event);
}

// What a view_submission ack asks for, applied to the submitted view.
void SimulatedUser::ApplySubmissionAck(const InteractionOrigin& origin, const json& payload) {
  auto& views = workspace_.views();
  const std::string action =
      payload.is_object() ? payload.value("response_action", "") : std::string();
  if (action == "errors") {
    if (auto view = views.SetErrors(origin.view_id, payload.value("errors", json::object()))) {
      NotifyView(SandboxEvent::Kind::kViewErrors, *view);
    }
  } else if (action == "update" && payload.contains("view")) {
    if (auto view = views.Replace(origin.view_id, payload["view"])) {
      NotifyView(SandboxEvent::Kind::kViewUpdated, *view);
    }
  } else if (action == "push" && payload.contains("view")) {
    auto pushed = views.Push(views.IssueTrigger(origin.user), payload["view"]);
    if (pushed) {
      NotifyView(SandboxEvent::Kind::kViewOpened, *pushed);
    } else {
      core::Logger("sandbox.slack")
          ->warn("response_action push refused: {}", pushed.error().message);
    }
  } else if (action == "clear") {
    for (const auto& view : views.CloseAll(origin.user)) {
      NotifyView(SandboxEvent::Kind::kViewClosed, view);
    }
  } else {
    for (const auto& view : views.CloseTop(origin.view_id)) {
      NotifyView(SandboxEvent::Kind::kViewClosed, view);
    }
  }
}

json SimulatedUser::BasePayload(const std::string& type, const std::string& user) const {
  return {{"type", type},
          {"user", PayloadUser(user, options_.team_id)},
          {"api_app_id", options_.app_id},
          {"token", options_.verification_token},
          {"team", PayloadTeam(options_.team_id)},
          {"is_enterprise_install", false},
          {"enterprise", nullptr}};
}

std::string SimulatedUser::ActionTs() const {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.WallNow().time_since_epoch())
          .count();
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%lld.%06lld", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000));
  return buf;
}

json SimulatedUser::MessageForPayload(const SandboxMessage& m) const {
  const auto& o = options_;
  json message = {
      {"type", "message"}, {"text", m.text}, {"user", m.user}, {"ts", m.ts}, {"team", o.team_id}};
  if (m.from_bot) {
    message["bot_id"] = o.bot_id;
    message["app_id"] = o.app_id;
  }
  if (m.blocks.is_array()) message["blocks"] = m.blocks;
  if (!m.thread_ts.empty()) message["thread_ts"] = m.thread_ts;
  return message;
}

std::string SimulatedUser::Shortcut(const std::string& callback_id, const std::string& user,
                                    const std::optional<SandboxMessage>& message) {
  // Slack's shapes: type "shortcut" (global: no channel, no message) and "message_action"
  // (channel, message, message_ts and a response_url).
  json payload = BasePayload(message ? "message_action" : "shortcut", user);
  payload["callback_id"] = callback_id;
  payload["trigger_id"] = workspace_.views().IssueTrigger(user);
  payload["action_ts"] = ActionTs();
  if (!message) return send_(std::move(payload), InteractionOrigin{"shortcut", user, "", "", ""});
  const InteractionOrigin origin{"message_action", user, message->channel, message->ts, ""};
  payload["channel"] = {{"id", message->channel},
                        {"name", message->channel == "C0GENERAL" ? "general" : message->channel}};
  payload["message"] = MessageForPayload(*message);
  payload["message_ts"] = message->ts;
  payload["response_url"] = options_.base_url() + "/response/" + workspace_.NewResponseUrl(origin);
  return send_(std::move(payload), origin);
}

core::Result<std::string> SimulatedUser::Click(const std::string& wanted, const std::string& user) {
  const std::string action_ts = ActionTs();
  if (auto top = workspace_.views().TopView(user)) {
    if (auto target =
            FindClickTarget(top->view.value("blocks", json::array()), wanted, action_ts)) {
      json payload = BasePayload("block_actions", user);
      payload["container"] = {{"type", "view"}, {"view_id", top->id}};
      payload["trigger_id"] = workspace_.views().IssueTrigger(user);
      payload["view"] = top->view;
      payload["actions"] = json::array({target->action});
      return send_(std::move(payload), InteractionOrigin{"block_actions", user, "", "", top->id});
    }
  }
  return ClickIn("", "", wanted, user);
}

core::Result<std::string> SimulatedUser::ClickIn(const std::string& channel,
                                                 const std::string& message_ts,
                                                 const std::string& wanted,
                                                 const std::string& user) {
  const std::string action_ts = ActionTs();
  const auto visible = workspace_.VisibleTo(user);
  for (const auto& m : visible) {
    if (!message_ts.empty() && (m.channel != channel || m.ts != message_ts)) continue;
    auto target = FindClickTarget(m.blocks, wanted, action_ts);
    if (!target) continue;
    const InteractionOrigin origin{"block_actions", user, m.channel, m.ts, ""};
    json payload = BasePayload("block_actions", user);
    payload["container"] = {{"type", "message"},
                            {"message_ts", m.ts},
                            {"channel_id", m.channel},
                            {"is_ephemeral", m.ephemeral}};
    payload["trigger_id"] = workspace_.views().IssueTrigger(user);
    payload["channel"] = {{"id", m.channel},
                          {"name", m.channel == "C0GENERAL" ? "general" : m.channel}};
    if (!m.ephemeral) payload["message"] = MessageForPayload(m);
    payload["state"] = {{"values", json::object()}};
    payload["response_url"] =
        options_.base_url() + "/response/" + workspace_.NewResponseUrl(origin);
    payload["actions"] = json::array({target->action});
    return send_(std::move(payload), origin);
  }
  return core::Unexpected(core::MakeError(
      core::ErrorKind::kNotFound, "no button, overflow or select option '" + wanted + "' in " +
                                      user + "'s open view or in the " +
                                      std::to_string(visible.size()) + " messages they can see"));
}

core::Result<std::string> SimulatedUser::SubmitView(
    const std::string& view_id, const std::map<std::string, std::string>& values,
    const std::string& user) {
  auto view = workspace_.views().Find(view_id);
  if (!view || view->user != user) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kNotFound, "no open view " + view_id + " for " + user));
  }
  auto state = BuildStateValues(view->view, values);
  if (!state) return core::Unexpected(state.error());
  json submitted = view->view;
  submitted["state"] = {{"values", *state}};
  json payload = BasePayload("view_submission", user);
  payload["trigger_id"] = workspace_.views().IssueTrigger(user);
  payload["view"] = std::move(submitted);
  payload["response_urls"] = json::array();
  return send_(std::move(payload), InteractionOrigin{"view_submission", user, "", "", view_id});
}

core::Result<std::string> SimulatedUser::CloseView(const std::string& view_id,
                                                   const std::string& user) {
  auto view = workspace_.views().Find(view_id);
  if (!view || view->user != user) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kNotFound, "no open view " + view_id + " for " + user));
  }
  std::string envelope_id;
  if (view->view.value("notify_on_close", false)) {
    json payload = BasePayload("view_closed", user);
    payload["view"] = view->view;
    payload["is_cleared"] = false;
    envelope_id =
        send_(std::move(payload), InteractionOrigin{"view_closed", user, "", "", view_id});
  }
  for (const auto& closed : workspace_.views().CloseTop(view_id)) {
    NotifyView(SandboxEvent::Kind::kViewClosed, closed);
  }
  return envelope_id;
}

}  // namespace contexten::sandbox
