#include "bot/handlers/new_issue.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <optional>

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

std::vector<std::string> SplitCommas(const std::string& joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= joined.size()) {
    const auto comma = joined.find(',', start);
    const std::string item =
        Trim(joined.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string OptionText(const std::string& text) { return bk::TruncateForSlack(text, 75); }

bk::Option TeamOption(const integrations::linear::Team& team) {
  return bk::Option(OptionText(team.key + " · " + team.name), team.key);
}

bk::Option UserOption(const integrations::linear::User& user) {
  const std::string name = user.display_name.empty() || user.display_name == user.name
                               ? user.name
                               : user.name + " (" + user.display_name + ")";
  return bk::Option(OptionText(name), user.id);
}

bk::Option LabelOption(const integrations::linear::Label& label) {
  return bk::Option(
      OptionText(label.team_key.empty() ? label.name : label.name + " (" + label.team_key + ")"),
      label.id);
}

core::Status SubmitAndStart(ListenerContext& context, workflows::engine::Engine& engine,
                            const FileIssueSettings& settings) {
  const auto& interaction = context.interaction();
  std::optional<LinearReference> reference;
  if (settings.reference) reference = settings.reference->Cached();
  auto errors = ValidateNewIssue(*interaction.view, reference ? &*reference : nullptr);
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
                                      const NewIssuePrefill& prefill,
                                      const LinearReference* reference, bool loading) {
  bk::StaticSelect priority("Choose a priority", kNewIssuePriorityAction);
  for (const auto& p : kPriorities) priority.AddOption(bk::Option(p.label, p.value));
  const bool selects = reference != nullptr && !reference->teams.empty();
  bk::PlainTextInput team_key(kNewIssueTeamAction);
  team_key.Placeholder("Linear team key, e.g. ENG").MaxLength(10);
  if (!default_team.empty()) team_key.InitialValue(default_team);
  bk::StaticSelect team_select("Choose a team", kNewIssueTeamAction);
  bk::StaticSelect assignee("Unassigned", kNewIssueAssigneeAction);
  bk::StaticSelect labels("Choose labels", kNewIssueLabelsAction);
  labels.Multi();
  if (selects) {
    for (std::size_t i = 0; i < reference->teams.size() && i < kNewIssueMaxOptions; ++i) {
      team_select.AddOption(TeamOption(reference->teams[i]));
      if (reference->teams[i].key == default_team) {
        team_select.InitialOption(TeamOption(reference->teams[i]));
      }
    }
    for (std::size_t i = 0; i < reference->users.size() && i < kNewIssueMaxOptions; ++i) {
      assignee.AddOption(UserOption(reference->users[i]));
    }
    for (std::size_t i = 0; i < reference->labels.size() && i < kNewIssueMaxOptions; ++i) {
      labels.AddOption(LabelOption(reference->labels[i]));
    }
  }
  bk::PlainTextInput title(kNewIssueTitleAction);
  title.Placeholder("What is wrong, in one line").FocusOnLoad();
  if (!prefill.title.empty()) title.InitialValue(prefill.title);
  bk::PlainTextInput description(kNewIssueDescriptionAction);
  description.Multiline();
  if (!prefill.description.empty()) {
    description.InitialValue(bk::TruncateForSlack(prefill.description, 3000));
  }
  bk::Modal modal("New issue");
  modal.CallbackId(kNewIssueCallbackId)
      .Submit("Create")
      .Close("Cancel")
      .PrivateMetadata(json{{"channel", channel_id}}.dump())
      .Add(bk::Input("Title", title).BlockId(kNewIssueTitleBlock));
  if (selects) {
    modal.Add(bk::Input("Team", team_select).BlockId(kNewIssueTeamBlock));
    if (!reference->users.empty()) {
      modal.Add(bk::Input("Assignee", assignee).Optional().BlockId(kNewIssueAssigneeBlock));
    }
    if (!reference->labels.empty()) {
      modal.Add(bk::Input("Labels", labels).Optional().BlockId(kNewIssueLabelsBlock));
    }
  } else {
    modal.Add(bk::Input("Team", team_key).BlockId(kNewIssueTeamBlock));
  }
  if (!selects && loading) {
    modal.Add(bk::Context()
                  .AddText(bk::Mrkdwn(":hourglass_flowing_sand: Loading teams, people and labels "
                                      "from Linear…"))
                  .BlockId(kNewIssueLoadingBlock));
  }
  return modal
      .Add(bk::Input("Description", description).Optional().BlockId(kNewIssueDescriptionBlock))
      .Add(bk::Input("Priority", priority).Optional().BlockId(kNewIssuePriorityBlock))
      .Build();
}

std::map<std::string, std::string> ValidateNewIssue(const ViewPayload& view,
                                                    const LinearReference* reference) {
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
  if (reference == nullptr || reference->teams.empty()) return errors;
  if (!team.empty() && std::none_of(reference->teams.begin(), reference->teams.end(),
                                    [&](const auto& t) { return t.key == team; })) {
    errors[kNewIssueTeamBlock] = "Linear has no team " + team + " (any more).";
  }
  const std::string assignee = Field(view, kNewIssueAssigneeAction);
  if (!assignee.empty() && std::none_of(reference->users.begin(), reference->users.end(),
                                        [&](const auto& u) { return u.id == assignee; })) {
    errors[kNewIssueAssigneeBlock] = "That person is not an active Linear user (any more).";
  }
  for (const auto& id : SplitCommas(Field(view, kNewIssueLabelsAction))) {
    const auto label = std::find_if(reference->labels.begin(), reference->labels.end(),
                                    [&](const auto& l) { return l.id == id; });
    if (label == reference->labels.end()) {
      errors[kNewIssueLabelsBlock] = "One of these labels no longer exists in Linear.";
    } else if (!label->team_key.empty() && label->team_key != team) {
      errors[kNewIssueLabelsBlock] = "The label " + label->name + " belongs to team " +
                                     label->team_key + ", not " + team + ".";
    }
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
  issue.assignee_id = Field(view, kNewIssueAssigneeAction);
  issue.label_ids = SplitCommas(Field(view, kNewIssueLabelsAction));
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
  request.assignee_id = issue.assignee_id;
  request.label_ids = issue.label_ids;
  request.channel = issue.channel;
  request.reporter = issue.reporter;
  return request;
}

std::string DefaultTeamFor(const FileIssueSettings& settings, const std::string& channel) {
  if (settings.subscriptions == nullptr || channel.empty()) return settings.default_team;
  auto subscriptions = settings.subscriptions->ForChannel(channel);
  if (!subscriptions) {
    Log()->warn("channel subscriptions unreadable: {}", subscriptions.error().Describe());
    return settings.default_team;
  }
  for (const auto& s : *subscriptions) {
    if (s.platform == "linear" && !s.target.empty()) return s.target;
  }
  return settings.default_team;
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
                               const NewIssuePrefill& prefill, LinearReferenceCache* reference) {
  const auto& interaction = context.interaction();
  if (interaction.trigger_id.empty()) {
    // A replay after a restart: the trigger is long gone.
    return context.Ack(
        EphemeralReply("That request expired before the form could open. "
                       "Run the command again."));
  }
  std::optional<LinearReference> cached;
  if (reference) cached = reference->Cached();
  auto view = BuildNewIssueModal(interaction.channel_id, default_team, prefill,
                                 cached ? &*cached : nullptr, reference != nullptr);
  if (!view) return core::Unexpected(view.error());
  // views.open before the ack: the trigger_id is good for 3 s from the user's action, and
  // opening first lets a failure be told to the user in the ack.
  auto opened = context.client().OpenView(interaction.trigger_id, *view);
  if (!opened) {
    Log()->warn("views.open for the new-issue form failed: {}", opened.error().Describe());
    (void)context.Ack(EphemeralReply("Could not open the form: " + opened.error().message));
    return core::Unexpected(opened.error());
  }
  if (auto acked = context.Ack(); !acked) return acked;
  if (reference == nullptr || reference->Fresh()) return core::Ok();
  // After the ack, outside the trigger's window: read Linear, then show the result in place.
  auto read = reference->Refresh();
  if (!read) {
    Log()->warn("reading Linear's teams, users and labels failed: {}", read.error().Describe());
    if (cached) return core::Ok();  // the form already offers the older lists
  }
  auto updated = BuildNewIssueModal(interaction.channel_id, default_team, prefill,
                                    read ? &*read : nullptr, true);
  if (!updated) return core::Unexpected(updated.error());
  if (!read) {
    // Without any lists the form still works with a typed team key; say why nothing loaded.
    for (auto& block : (*updated)["blocks"]) {
      if (block.value("block_id", "") == kNewIssueLoadingBlock) {
        block["elements"][0]["text"] =
            "Could not load Linear's teams, people and labels just now; type the team key.";
      }
    }
  }
  auto shown = context.client().UpdateView(opened->id, *updated, opened->hash);
  if (!shown && shown.error().kind == core::ErrorKind::kNotFound) {
    // The user submitted or closed the form while Linear was being read: Slack no longer has the
    // view (views.update answers not_found), and there is nothing left to show the lists in.
    Log()->info("the new-issue form closed before its lists loaded: {}", shown.error().Describe());
    return core::Ok();
  }
  if (!shown) {
    Log()->warn("views.update of the new-issue form failed: {}", shown.error().Describe());
    return core::Unexpected(shown.error());
  }
  return core::Ok();
}

void RegisterNewIssueListeners(ListenerRegistry& registry, workflows::engine::Engine& engine,
                               const FileIssueSettings& settings) {
  registry.ViewSubmission(kNewIssueCallbackId, [&engine, settings](ListenerContext& context) {
    return SubmitAndStart(context, engine, settings);
  });
  registry.Shortcut(kCreateIssueShortcut, [settings](ListenerContext& context) {
    return OpenNewIssueModal(context, DefaultTeamFor(settings, context.interaction().channel_id),
                             {}, settings.reference);
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
    return OpenNewIssueModal(context, DefaultTeamFor(settings, interaction.channel_id),
                             PrefillFromMessage(interaction.message_text, permalink),
                             settings.reference);
  });
}

}  // namespace contexten::bot::handlers
