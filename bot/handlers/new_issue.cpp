#include "bot/handlers/new_issue.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/modal.hpp"
#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::bot::handlers {
namespace {

using listeners::ListenerContext;
using listeners::ListenerRegistry;

namespace bk = integrations::slack::blocks;
using integrations::slack::Interaction;
using integrations::slack::ViewPayload;
using nlohmann::json;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("new_issue");
  return log;
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::string Field(const ViewPayload& view, const char* action_id) {
  auto it = view.values.find(action_id);
  return it == view.values.end() ? "" : it->second;
}

json EphemeralReply(std::string text) {
  return {{"response_type", "ephemeral"}, {"text", std::move(text)}};
}

struct PriorityOption {
  const char* value;
  const char* label;
};
constexpr PriorityOption kPriorities[] = {
    {"1", "Urgent"}, {"2", "High"}, {"3", "Medium"}, {"4", "Low"}};

std::string ContextLine(const std::string& priority, const std::string& who) {
  return "Priority: " + PriorityLabel(priority) + " · " + who;
}

core::Status AckAndPostConfirmation(ListenerContext& context) {
  const auto& interaction = context.interaction();
  auto errors = ValidateNewIssue(*interaction.view);
  if (!errors.empty()) return context.AckWithErrors(errors);
  // An empty ack closes the modal. Posting comes after: the user should not wait for it.
  if (auto acked = context.Ack(); !acked) return acked;
  const NewIssue issue = ReadNewIssue(interaction);
  if (issue.channel.empty()) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "new-issue submission names no channel"));
  }
  auto message = BuildNewIssueConfirmation(issue);
  if (!message) return core::Unexpected(message.error());
  integrations::slack::OutgoingMessage out;
  out.channel = issue.channel;
  out.text = (*message)["text"].get<std::string>();
  out.blocks = (*message)["blocks"];
  auto posted = context.client().PostMessage(out);
  if (!posted) return core::Unexpected(posted.error());
  return core::Ok();
}

core::Status AssignToClicker(ListenerContext& context) {
  // Ack first: the update and the thread reply may take a moment, the button must not spin.
  (void)context.Ack();
  const auto& interaction = context.interaction();
  if (interaction.channel_id.empty() || interaction.message_ts.empty()) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput,
                                            "Assign to me was not clicked on a message"));
  }
  json value = json::parse(interaction.action()->value, nullptr, false);
  if (!value.is_object()) value = json::object();
  const std::string title = value.value("title", std::string("this issue"));
  const std::string priority = value.value("priority", std::string());
  const std::string assignee = "<@" + interaction.user_id + ">";
  auto message = BuildNewIssueAssigned(title, priority, interaction.user_id);
  if (!message) return core::Unexpected(message.error());
  integrations::slack::MessageUpdate update;
  update.channel = interaction.channel_id;
  update.ts = interaction.message_ts;
  update.text = (*message)["text"].get<std::string>();
  update.blocks = (*message)["blocks"];
  if (auto updated = context.client().UpdateMessage(update); !updated) {
    return core::Unexpected(updated.error());
  }
  auto replied = context.ReplyInThread(assignee + " is taking this one.");
  if (!replied) return core::Unexpected(replied.error());
  return core::Ok();
}

}  // namespace

std::string PriorityLabel(const std::string& value) {
  for (const auto& p : kPriorities) {
    if (value == p.value) return p.label;
  }
  return "No priority";
}

core::Result<json> BuildNewIssueModal(const std::string& channel_id) {
  bk::StaticSelect priority("Choose a priority", kNewIssuePriorityAction);
  for (const auto& p : kPriorities) priority.AddOption(bk::Option(p.label, p.value));
  return bk::Modal("New issue")
      .CallbackId(kNewIssueCallbackId)
      .Submit("Create")
      .Close("Cancel")
      .PrivateMetadata(json{{"channel", channel_id}}.dump())
      .Add(bk::Input("Title", bk::PlainTextInput(kNewIssueTitleAction)
                                  .Placeholder("What is wrong, in one line")
                                  .FocusOnLoad())
               .BlockId(kNewIssueTitleBlock))
      .Add(bk::Input("Description", bk::PlainTextInput(kNewIssueDescriptionAction).Multiline())
               .Optional()
               .BlockId(kNewIssueDescriptionBlock))
      .Add(bk::Input("Priority", priority).Optional().BlockId(kNewIssuePriorityBlock))
      .Build();
}

std::map<std::string, std::string> ValidateNewIssue(const ViewPayload& view) {
  std::map<std::string, std::string> errors;
  const std::string title = Trim(Field(view, kNewIssueTitleAction));
  if (title.empty()) {
    errors[kNewIssueTitleBlock] = "Give the issue a title.";
  } else if (bk::CountChars(title) > kNewIssueMaxTitleChars) {
    errors[kNewIssueTitleBlock] = "Keep the title to " + std::to_string(kNewIssueMaxTitleChars) +
                                  " characters (it has " + std::to_string(bk::CountChars(title)) +
                                  ").";
  }
  return errors;
}

NewIssue ReadNewIssue(const Interaction& submission) {
  NewIssue issue;
  if (!submission.view) return issue;
  const auto& view = *submission.view;
  issue.title = Trim(Field(view, kNewIssueTitleAction));
  issue.description = Trim(Field(view, kNewIssueDescriptionAction));
  issue.priority = Field(view, kNewIssuePriorityAction);
  issue.reporter = submission.user_id;
  json metadata = json::parse(view.private_metadata, nullptr, false);
  if (metadata.is_object()) issue.channel = metadata.value("channel", std::string());
  // A modal opened where Slack gave no channel: tell the reporter in their DM instead.
  if (issue.channel.empty()) issue.channel = submission.user_id;
  return issue;
}

core::Result<json> BuildNewIssueConfirmation(const NewIssue& issue) {
  const std::string title = bk::EscapeMrkdwn(issue.title);
  bk::Message message;
  message.Text("New issue: " + issue.title).Add(bk::Section::Markdown("*New issue:* " + title));
  if (!issue.description.empty()) {
    message.Add(
        bk::Section::Markdown(bk::TruncateForSlack(bk::EscapeMrkdwn(issue.description), 3000)));
  }
  const json value = {{"title", issue.title}, {"priority", issue.priority}};
  message
      .Add(bk::Context().AddText(
          bk::Mrkdwn(ContextLine(issue.priority, "filed by <@" + issue.reporter + ">"))))
      .Add(bk::Actions().Add(bk::Button("Assign to me", kNewIssueAssignAction)
                                 .Value(value.dump())
                                 .Style(bk::ButtonStyle::kPrimary)));
  return message.Build();
}

core::Result<json> BuildNewIssueAssigned(const std::string& title, const std::string& priority,
                                         const std::string& assignee) {
  const std::string who = "<@" + assignee + ">";
  return bk::Message()
      .Text("New issue: " + title + " (assigned to " + who + ")")
      .Add(bk::Section::Markdown("*New issue:* " + bk::EscapeMrkdwn(title)))
      .Add(bk::Context().AddText(bk::Mrkdwn(ContextLine(priority, "assigned to " + who))))
      .Build();
}

core::Status OpenNewIssueModal(ListenerContext& context) {
  const auto& interaction = context.interaction();
  if (interaction.trigger_id.empty()) {
    // A replay after a restart: the trigger is long gone.
    return context.Ack(
        EphemeralReply("That request expired before the form could open. "
                       "Run the command again."));
  }
  auto view = BuildNewIssueModal(interaction.channel_id);
  if (!view) return core::Unexpected(view.error());
  // views.open before the ack: the trigger_id is good for 3 s from the user's action, and
  // opening first lets a failure be told to the user in the ack.
  auto opened = context.client().OpenView(interaction.trigger_id, *view);
  if (!opened) {
    Log()->warn("views.open for the new-issue form failed: {}", opened.error().Describe());
    (void)context.Ack(EphemeralReply("Could not open the form: " + opened.error().message));
    return core::Unexpected(opened.error());
  }
  return context.Ack();
}

void RegisterNewIssueListeners(ListenerRegistry& registry) {
  registry.ViewSubmission(kNewIssueCallbackId, AckAndPostConfirmation);
  registry.Action(kNewIssueAssignAction, AssignToClicker);
}

}  // namespace contexten::bot::handlers
