#pragma once
// The person at the other end of the sandbox Slack: clicks buttons and picks options in messages
// and modals, submits and closes modals, and sees the bot's view_submission acks take effect
// (response_action errors/update/push/clear) the way Slack's client shows them.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sandbox/slack/sandbox_types.hpp"
#include "sandbox/slack/slack_workspace.hpp"

namespace contexten::sandbox {

struct SimulatedUserOptions {
  std::string team_id;
  std::string app_id;
  std::string bot_id;
  std::string verification_token;
  std::function<std::string()> base_url;  // response_urls are base_url() + "/response/" + id
};

class SimulatedUser {
 public:
  // Sends an interactive envelope carrying `payload`; returns its envelope id.
  using SendFn = std::function<std::string(nlohmann::json payload, const InteractionOrigin&)>;
  using NotifyFn = std::function<void(const SandboxEvent&)>;

  SimulatedUser(SlackWorkspace& workspace, const core::Clock& clock, SimulatedUserOptions options,
                SendFn send, NotifyFn notify);

  // See SlackSandbox::Click, SubmitView, CloseView.
  core::Result<std::string> Click(const std::string& label_or_action_id, const std::string& user);
  // See SlackSandbox::ClickIn.
  core::Result<std::string> ClickIn(const std::string& channel, const std::string& message_ts,
                                    const std::string& label_or_action_id, const std::string& user);
  core::Result<std::string> SubmitView(const std::string& view_id,
                                       const std::map<std::string, std::string>& values,
                                       const std::string& user);
  core::Result<std::string> CloseView(const std::string& view_id, const std::string& user);
  // A shortcut: a message shortcut (`message` set: the message it was used on, in its channel)
  // or a global one from the shortcuts menu. See SlackSandbox::UseShortcut.
  std::string Shortcut(const std::string& callback_id, const std::string& user,
                       const std::optional<SandboxMessage>& message);

  // What the bot's ack of a view_submission asks for, applied to the submitted view.
  void ApplySubmissionAck(const InteractionOrigin& origin, const nlohmann::json& payload);

 private:
  nlohmann::json BasePayload(const std::string& type, const std::string& user) const;
  nlohmann::json MessageForPayload(const SandboxMessage& m) const;
  std::string ActionTs() const;
  void NotifyView(SandboxEvent::Kind kind, const SandboxView& view);

  SlackWorkspace& workspace_;
  const core::Clock& clock_;
  const SimulatedUserOptions options_;
  SendFn send_;
  NotifyFn notify_;
};

}  // namespace contexten::sandbox
