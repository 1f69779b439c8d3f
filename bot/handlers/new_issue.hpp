#pragma once
// `/ctx new`: a "New issue" modal (title, team, assignee, labels, description, priority), checked
// on submission (errors shown on the field); a good submission closes it and starts the durable
// file_issue workflow, which files the issue in Linear and keeps a card for it in the channel
// (bot/handlers/file_issue_handlers.hpp).
//
// Team, assignee and labels are selects of Linear's teams, active users and labels
// (bot/handlers/linear_reference_cache.hpp). The form opens at once with what is cached (a team
// key field and a "loading" line before the first read), and when the cache is stale it is read
// again after the ack and the open form updated with views.update.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/handlers/file_issue_handlers.hpp"
#include "bot/handlers/linear_reference_cache.hpp"
#include "core/result.hpp"
#include "integrations/slack/interaction.hpp"
#include "integrations/slack/listeners/listener_context.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

namespace listeners = integrations::slack::listeners;

inline constexpr char kNewIssueCallbackId[] = "new_issue";
inline constexpr char kNewIssueTeamBlock[] = "new_issue_team";
inline constexpr char kNewIssueTeamAction[] = "team";
inline constexpr char kNewIssueTitleBlock[] = "new_issue_title";
inline constexpr char kNewIssueTitleAction[] = "title";
inline constexpr char kNewIssueDescriptionBlock[] = "new_issue_description";
inline constexpr char kNewIssueDescriptionAction[] = "description";
inline constexpr char kNewIssuePriorityBlock[] = "new_issue_priority";
inline constexpr char kNewIssuePriorityAction[] = "priority";
inline constexpr char kNewIssueAssigneeBlock[] = "new_issue_assignee";
inline constexpr char kNewIssueAssigneeAction[] = "assignee";
inline constexpr char kNewIssueLabelsBlock[] = "new_issue_labels";
inline constexpr char kNewIssueLabelsAction[] = "labels";
inline constexpr char kNewIssueLoadingBlock[] = "new_issue_loading";
// Slack's static selects hold at most 100 options; the rest are not offered.
inline constexpr std::size_t kNewIssueMaxOptions = 100;
inline constexpr std::size_t kNewIssueMaxTitleChars = 255;

struct NewIssue {
  std::string team_key;  // upper case
  std::string title;
  std::string description;
  std::string priority;     // option value: "1" urgent .. "4" low (Linear's numbers); "" none
  std::string assignee_id;  // Linear user id; "" unassigned
  std::vector<std::string> label_ids;  // Linear label ids
  std::string channel;                 // where the card goes (from private_metadata)
  std::string reporter;                // user id
};

// What the form starts with (a message shortcut: the message's text and permalink).
struct NewIssuePrefill {
  std::string title;
  std::string description;
};

// The shortcuts that open the form: on a message ("Create Linear issue", prefilled from it) and
// from the shortcuts menu (empty).
inline constexpr char kCreateIssueFromMessageShortcut[] = "create_issue_from_message";
inline constexpr char kCreateIssueShortcut[] = "create_issue";

// The modal view; `channel_id` travels in private_metadata so the submission knows where to
// post. The team field starts with `default_team` when set. With `reference`, team, assignee and
// labels are selects of it; without, the team is a key typed in, and with `loading` a line
// (block kNewIssueLoadingBlock) says the lists are on their way.
core::Result<nlohmann::json> BuildNewIssueModal(const std::string& channel_id,
                                                const std::string& default_team = "",
                                                const NewIssuePrefill& prefill = {},
                                                const LinearReference* reference = nullptr,
                                                bool loading = false);
// The team the form offers first in `channel`: the Linear team the channel subscribes to (the
// first, when several), else settings.default_team.
std::string DefaultTeamFor(const FileIssueSettings& settings, const std::string& channel);
// A prefill from a message: its first line as the title (cut to a readable length), the whole
// text and the permalink as the description.
NewIssuePrefill PrefillFromMessage(const std::string& text, const std::string& permalink);
// Reads a submission. Field errors keyed by block_id; empty when the issue is good. With
// `reference`, the team must be one of Linear's, the assignee an active user, and each label
// the workspace's or the chosen team's (the form's options may be older than Linear).
std::map<std::string, std::string> ValidateNewIssue(const integrations::slack::ViewPayload& view,
                                                    const LinearReference* reference = nullptr);
NewIssue ReadNewIssue(const integrations::slack::Interaction& submission);
// The workflow's request for a submission.
FileIssueRequest ToFileIssueRequest(const NewIssue& issue);

// Opens the modal with the interaction's trigger_id, then acks; if the modal cannot be opened
// the ack carries an explanation for the user instead. With `reference` the modal carries what
// is cached, and a stale cache is read again after the ack and the modal updated.
core::Status OpenNewIssueModal(listeners::ListenerContext& context,
                               const std::string& default_team = "",
                               const NewIssuePrefill& prefill = {},
                               LinearReferenceCache* reference = nullptr);
// The view_submission listener and the two shortcuts: `engine` and `settings` must outlive the
// registry.
void RegisterNewIssueListeners(listeners::ListenerRegistry& registry,
                               workflows::engine::Engine& engine,
                               const FileIssueSettings& settings);

}  // namespace contexten::bot::handlers
