#pragma once
// The root card of an issue's Slack thread: what was filed, its Linear state, and the pull
// requests linked to it. Pure: model in, Block Kit JSON out (../shared/DESIGN.md §2, present/).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace contexten::workflows::present {

inline constexpr std::string_view kIssueCardAssignAction = "issue_card_assign";
inline constexpr std::string_view kIssueCardOpenAction = "issue_card_open";
// Close (while open) and Reopen (once completed or canceled); their value is the identifier.
inline constexpr std::string_view kIssueCardCloseAction = "issue_card_close";
inline constexpr std::string_view kIssueCardReopenAction = "issue_card_reopen";
// A select of the team's workflow states (option value: the state's name); the issue is the
// one whose card the select is on (its thread's issue).
inline constexpr std::string_view kIssueCardStateAction = "issue_card_state";

struct LinkedPullRequest {
  std::string repo;  // "owner/repo"
  int number = 0;
  std::string title, url;
  std::string state;   // "open" | "draft" | "merged" | "closed"
  std::string review;  // "" | "approved" | "changes_requested" | "review_required"
  std::string checks;  // "" | "pending" | "passing" | "failing"
};

struct IssueCardModel {
  enum class Phase { kFiling, kFiled, kQueued, kFailed } phase = Phase::kFiling;
  std::string title, description, team_key;
  std::string identifier, url;           // empty until filed
  std::string state_name, state_type;    // Linear workflow state (type: backlog/unstarted/...)
  std::vector<std::string> team_states;  // the team's workflow state names, in Linear's order
  int priority = 0;                      // Linear: 0 none, 1 urgent .. 4 low
  std::string assignee_name;             // Linear display name; empty = unassigned
  std::string assignee_slack_id;         // when known, shown as <@U..>
  std::string reporter_slack_id;
  std::string note;  // e.g. "Linear is not answering; your request is queued" (kQueued/kFailed)
  std::vector<LinkedPullRequest> pull_requests;
  std::string run_id;  // in every button's value so that a click finds its workflow run
};

// {"text": fallback, "blocks": [...]} for chat.postMessage / chat.update. Buttons: "Assign to
// me" (kIssueCardAssignAction) while filed and unassigned; "Close" or "Reopen" by the state's
// type once filed; a state select (kIssueCardStateAction) once filed and the team's states are
// known, starting at the current state; "Open in Linear" (a URL button, kIssueCardOpenAction)
// once filed. User text is escaped and cut to Slack's limits.
nlohmann::json RenderIssueCard(const IssueCardModel& model);

// "Urgent", "High", "Medium", "Low"; "No priority" for 0 and anything out of range.
std::string PriorityName(int priority);

}  // namespace contexten::workflows::present
