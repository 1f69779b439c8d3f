#include "bot/handlers/new_issue.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "bot/handlers/command_handler.hpp"
#include "core/logging.hpp"
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

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string Field(const ViewPayload& view, const char* action_id) {
  auto it = view.values.find(action_id);
  return it == view.values.end() ? "" : it->second;
}

// A Linear team key: a letter, then letters or digits, at most 10 (Linear's own rule for keys).
bool IsTeamKey(const std::string& key) {
  if (key.empty() || key.size() > 10 || !std::isupper(static_cast<unsigned char>(key[0]))) {
    return false;
  }
  return std::all_of(key.begin(), key.end(),
                     [](unsigned char c) { return std::isupper(c) || std::isdigit(c); });
}

struct PriorityOption {
  const char* value;
  const char* label;
};
constexpr PriorityOption kPriorities[] = {
    {"1", "Urgent"}, {"2", "High"}, {"3", "Medium"}, {"4", "Low"}};

core::Status SubmitAndStart(ListenerContext& context, workflows::engine::Engine& engine,
                            const FileIssueSettings& settings) {
  const auto& interaction = context.interaction();
  auto errors = ValidateNewIssue(*interaction.view);
  if (!settings.linear_enabled) {
    errors[kNewIssueTeamBlock] = "Linear is not configured here, so issues cannot be filed yet.";
  }
  if (!errors.empty()) return context.AckWithErrors(errors);
  // An empty ack closes the modal; the card appears in the channel once the workflow posts it.
  if (auto acked = context.Ack(); !acked) return acked;
  const NewIssue issue = ReadNewIssue(interaction);
  auto started =
      StartFileIssue(engine, settings, interaction.envelope_id, ToFileIssueRequest(issue));
  if (!started) {
    integrations::slack::EphemeralMessage message;
    message.channel = issue.channel;
    message.user = issue.reporter;
    message.text = started.error().message;
    (void)context.client().PostEphemeral(message);
    return started;
  }
  return core::Ok();
}

}  // namespace

core::Result<json> BuildNewIssueModal(const std::string& channel_id,
                                      const std::string& default_team,
                                      const NewIssuePrefill& prefill) {
  bk::StaticSelect priority("Choose a priority", kNewIssuePriorityAction);
  for (const auto& p : kPriorities) priority.AddOption(bk::Option(p.label, p.value));
  bk::PlainTextInput team(kNewIssueTeamAction);
  team.Placeholder("Linear team key, e.g. ENG").MaxLength(10);
  if (!default_team.empty()) team.InitialValue(default_team);
  bk::PlainTextInput title(kNewIssueTitleAction);
  title.Placeholder("What is wrong, in one line").FocusOnLoad();
  if (!prefill.title.empty()) title.InitialValue(prefill.title);
  bk::PlainTextInput description(kNewIssueDescriptionAction);
  description.Multiline();
  if (!prefill.description.empty()) {
    description.InitialValue(bk::TruncateForSlack(prefill.description, 3000));
  }
  return bk::Modal("New issue")
      .CallbackId(kNewIssueCallbackId)
      .Submit("Create")
      .Close("Cancel")
      .PrivateMetadata(json{{"channel", channel_id}}.dump())
      .Add(bk::Input("Title", title).BlockId(kNewIssueTitleBlock))
      .Add(bk::Input("Team", team).BlockId(kNewIssueTeamBlock))
      .Add(bk::Input("Description", description).Optional().BlockId(kNewIssueDescriptionBlock))
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
  const std::string team = Upper(Trim(Field(view, kNewIssueTeamAction)));
  if (team.empty()) {
    errors[kNewIssueTeamBlock] = "Which Linear team? Its key, e.g. ENG.";
  } else if (!IsTeamKey(team)) {
    errors[kNewIssueTeamBlock] = "A team key is letters and digits, starting with a letter (ENG).";
  }
  return errors;
}

NewIssue ReadNewIssue(const Interaction& submission) {
  NewIssue issue;
  if (!submission.view) return issue;
  const auto& view = *submission.view;
  issue.team_key = Upper(Trim(Field(view, kNewIssueTeamAction)));
  issue.title = Trim(Field(view, kNewIssueTitleAction));
  issue.description = Trim(Field(view, kNewIssueDescriptionAction));
  issue.priority = Field(view, kNewIssuePriorityAction);
  issue.reporter = submission.user_id;
  json metadata = json::parse(view.private_metadata, nullptr, false);
  if (metadata.is_object()) issue.channel = metadata.value("channel", std::string());
  // A modal opened where Slack gave no channel: the card goes to the reporter's DM instead.
  if (issue.channel.empty()) issue.channel = submission.user_id;
  return issue;
}

FileIssueRequest ToFileIssueRequest(const NewIssue& issue) {
  FileIssueRequest request;
  request.team_key = issue.team_key;
  request.title = issue.title;
  request.description = issue.description;
  request.priority =
      issue.priority.size() == 1 && issue.priority[0] >= '1' && issue.priority[0] <= '4'
          ? issue.priority[0] - '0'
          : 0;
  request.channel = issue.channel;
  request.reporter = issue.reporter;
  return request;
}

NewIssuePrefill PrefillFromMessage(const std::string& text, const std::string& permalink) {
  constexpr std::size_t kTitleChars = 120;
  NewIssuePrefill prefill;
  std::string first = Trim(text.substr(0, text.find('\n')));
  if (bk::CountChars(first) > kTitleChars) {
    first = bk::TruncateForSlack(first, kTitleChars);
  }
  prefill.title = first;
  prefill.description = Trim(text);
  if (!permalink.empty()) {
    prefill.description +=
        (prefill.description.empty() ? "" : "\n\n") + std::string("From Slack: ") + permalink;
  }
  return prefill;
}

core::Status OpenNewIssueModal(ListenerContext& context, const std::string& default_team,
                               const NewIssuePrefill& prefill) {
  const auto& interaction = context.interaction();
  if (interaction.trigger_id.empty()) {
    // A replay after a restart: the trigger is long gone.
    return context.Ack(
        EphemeralReply("That request expired before the form could open. "
                       "Run the command again."));
  }
  auto view = BuildNewIssueModal(interaction.channel_id, default_team, prefill);
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

void RegisterNewIssueListeners(ListenerRegistry& registry, workflows::engine::Engine& engine,
                               const FileIssueSettings& settings) {
  registry.ViewSubmission(kNewIssueCallbackId, [&engine, settings](ListenerContext& context) {
    return SubmitAndStart(context, engine, settings);
  });
  registry.Shortcut(kCreateIssueShortcut, [settings](ListenerContext& context) {
    return OpenNewIssueModal(context, settings.default_team);
  });
  registry.Shortcut(kCreateIssueFromMessageShortcut, [settings](ListenerContext& context) {
    const auto& interaction = context.interaction();
    // The permalink costs one quick Web API call inside the trigger's 3 s; without it the
    // form still opens with the text.
    std::string permalink;
    if (!interaction.channel_id.empty() && !interaction.message_ts.empty()) {
      auto link = context.client().GetPermalink(interaction.channel_id, interaction.message_ts);
      if (link) permalink = *link;
    }
    return OpenNewIssueModal(context, settings.default_team,
                             PrefillFromMessage(interaction.message_text, permalink));
  });
}

}  // namespace contexten::bot::handlers
